/**
 * Claim names the trigger must never emit, and the bounds on what it does emit.
 *
 * Cognito rejects (or silently drops) overrides of the claims it owns, and some
 * of the others would let a mapping impersonate the token's identity or widen its
 * authority. Both kinds are refused in configuration at cold start, and filtered
 * again on output as a second line of defence.
 */

/**
 * Claims Cognito owns in ID and access tokens: it refuses to add, override or
 * suppress them (Cognito's documented list, plus the access token's own claims
 * and the group claims, which change only through `groupOverrideDetails`).
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  "acr",
  "amr",
  "at_hash",
  "aud",
  "auth_time",
  "azp",
  "c_hash",
  "client_id",
  "cnf",
  "cognito:groups",
  "cognito:preferred_role",
  "cognito:roles",
  "cognito:username",
  "device_key",
  "event_id",
  "exp",
  "iat",
  "identities",
  "iss",
  "jti",
  "nbf",
  "nonce",
  "origin_jti",
  "scope",
  "sub",
  "token_use",
  "username",
  "version",
]);

/**
 * Identity claims relying parties trust as Cognito-verified. They may be
 * suppressed, but never set from an attribute or a static value: a mapping such
 * as `custom:verified -> email_verified` would let a user vouch for themselves.
 */
export const PROTECTED_CLAIMS: ReadonlySet<string> = new Set([
  "email",
  "email_verified",
  "phone_number",
  "phone_number_verified",
]);

/**
 * The scope that lets an access token call Cognito's self-service APIs (for
 * example `UpdateUserAttributes`). Configuration may suppress it, never add it.
 */
export const SELF_SERVICE_SCOPE = "aws.cognito.signin.user.admin";

/** Why a claim name cannot be emitted, or undefined when it can. */
export function reservedReason(claim: string): string | undefined {
  const lower = claim.toLowerCase();
  if (RESERVED_CLAIMS.has(lower)) return "is a reserved claim Cognito owns";
  if (lower.startsWith("cognito:")) return "uses the reserved cognito: prefix";
  return undefined;
}

/** True when `claim` may never be emitted (reserved, in any letter case, or `cognito:`-prefixed). */
export function isReservedClaim(claim: string): boolean {
  return reservedReason(claim) !== undefined;
}

/** True when `claim` may not be added or overridden (reserved or protected). */
export function isForbiddenTarget(claim: string): boolean {
  return isReservedClaim(claim) || PROTECTED_CLAIMS.has(claim.toLowerCase());
}

/** The bounds on emitted claims (documented in docs/pre-token-generation.md). */
export const LIMITS = {
  /** Longest claim name. */
  claimNameLength: 128,
  /** Longest string claim value (Cognito's custom attribute maximum is 2048). */
  stringLength: 2048,
  /** Most items in a string-array claim. */
  listItems: 50,
  /** Longest item of a string-array claim. */
  listItemLength: 256,
  /** Most claims the configuration may add to one token (mapped + roles + client claims). */
  claimsPerToken: 30,
  /** Largest JSON size, in bytes, of all the claims added to one token. */
  bytesPerToken: 8192,
  /** Longest scope. */
  scopeLength: 256,
  /** Longest group name (Cognito's limit). */
  groupNameLength: 128,
} as const;

/** A claim name: letters, digits and `_ . : / -` (namespaced names like `https://x/y` are fine). */
export const CLAIM_NAME_PATTERN = /^[A-Za-z0-9_.:/-]+$/;

/** An OAuth scope token (RFC 6749 3.3: printable ASCII, no space, `"` or `\`). */
export const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
