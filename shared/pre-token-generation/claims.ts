/**
 * The pure claim-building path: configuration + what the event says about the
 * user (or the M2M client) -> the claims, scopes and group override to apply.
 *
 * Version-neutral: `response-shapes.ts` turns the result into the V1 or V2/V3 response.
 * Claim names only ever come from the validated configuration; attribute values
 * only ever become claim values, converted to the configured type and bounded.
 */
import type {
  AttributeClaimRule,
  ClaimType,
  ClaimValue,
  PreTokenConfig,
  TokenKind,
} from "./config";
import { isForbiddenTarget, LIMITS } from "./reserved";

/** What the event tells us about the user. */
export interface UserContext {
  /** `request.userAttributes` (string values only). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The user's groups (`groupConfiguration.groupsToOverride`), in Cognito's precedence order. */
  readonly groups: readonly string[];
  /** The IAM roles Cognito would write (`groupConfiguration.iamRolesToOverride`). */
  readonly iamRoles: readonly string[];
  /** The preferred role Cognito would write, if any. */
  readonly preferredRole?: string;
}

/** Changes to one token's claims. */
export interface ClaimChanges {
  /** Claims to add or override, in configuration order. */
  readonly claims: ReadonlyMap<string, ClaimValue>;
  /** Claims to suppress. */
  readonly suppress: readonly string[];
}

/** Changes to the access token: claims plus scopes. */
export interface AccessChanges extends ClaimChanges {
  readonly scopesToAdd: readonly string[];
  readonly scopesToSuppress: readonly string[];
}

/** The `groupOverrideDetails` to write. */
export interface GroupOverride {
  readonly groupsToOverride: readonly string[];
  readonly iamRolesToOverride: readonly string[];
  readonly preferredRole?: string;
}

/** A claim left out, and why (logged by name only: values may be personal data). */
export interface DroppedClaim {
  readonly claim: string;
  readonly reason: string;
}

/** Everything the trigger changes for one token request. */
export interface TokenCustomisation {
  readonly id: ClaimChanges;
  readonly access: AccessChanges;
  readonly groupOverride?: GroupOverride;
  readonly dropped: readonly DroppedClaim[];
}

/** The outcome for a client-credentials request. */
export type ClientDecision =
  | { readonly kind: "customise"; readonly customisation: TokenCustomisation }
  | { readonly kind: "deny"; readonly reason: string };

const NUMBER = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * A decimal numeral in one canonical form: sign, significant digits (no leading or trailing
 * zeros) and the exponent of the first of them, so that two numerals denote the same number
 * exactly when their forms are equal ("1.50", "15e-1" and "0.15e1" all give "15e0").
 */
function canonicalDecimal(numeral: string): string | undefined {
  const m = NUMBER.exec(numeral);
  if (!m) return undefined;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = m;
  const digits = `${whole}${fraction}`;
  const significant = digits.replace(/^0+/, "");
  if (significant === "") return "0";
  // Exponents beyond Number's range lose precision here, but then so does the value: such
  // inputs never round-trip and are refused anyway.
  const first = whole.length - 1 - (digits.length - significant.length) + Number(exponent);
  return `${sign}${significant.replace(/0+$/, "")}e${first}`;
}

/**
 * Parse a decimal numeral to a number only when that number stands for it alone: an integer
 * within ±Number.MAX_SAFE_INTEGER, and a value whose shortest form (`String(value)`) is the
 * input. Rounding would otherwise give two users the same claim value ("9007199254740993" and
 * "9007199254740992"; "1e-400" and "0"; a 20-digit fraction and its 17-digit double).
 */
function exactNumber(raw: string): { ok: true; value: number } | { ok: false; reason: string } {
  const canonical = canonicalDecimal(raw);
  const value = Number(raw);
  if (canonical === undefined || !Number.isFinite(value)) {
    return { ok: false, reason: "not a number" };
  }
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return { ok: false, reason: "number beyond the safe integer range" };
  }
  if (canonicalDecimal(String(value)) !== canonical) {
    return { ok: false, reason: "number does not round-trip" };
  }
  // -0 and 0 are one number to a relying party (JSON has no -0).
  return { ok: true, value: value === 0 ? 0 : value };
}

/** Convert an attribute string to the configured type, or say why it cannot be. */
export function convertAttribute(
  raw: string,
  type: ClaimType,
): { ok: true; value: ClaimValue } | { ok: false; reason: string } {
  switch (type) {
    case "string":
      if (raw.length > LIMITS.stringLength) return { ok: false, reason: "value too long" };
      return { ok: true, value: raw };
    case "number":
      return exactNumber(raw.trim());
    case "boolean": {
      const lower = raw.trim().toLowerCase();
      if (lower === "true") return { ok: true, value: true };
      if (lower === "false") return { ok: true, value: false };
      return { ok: false, reason: "not a boolean" };
    }
    case "stringList": {
      const items = [
        ...new Set(
          raw
            .split(",")
            .map((item) => item.trim())
            .filter((item) => item !== ""),
        ),
      ];
      if (items.length > LIMITS.listItems) return { ok: false, reason: "too many items" };
      if (items.some((item) => item.length > LIMITS.listItemLength)) {
        return { ok: false, reason: "item too long" };
      }
      return { ok: true, value: items };
    }
  }
}

/** Accumulates one token's claims within the per-token byte budget. */
class ClaimSet {
  readonly claims = new Map<string, ClaimValue>();
  private bytes = 2;

  constructor(private readonly dropped: DroppedClaim[]) {}

  add(claim: string, value: ClaimValue): void {
    // Defence in depth: configuration already refuses these names.
    if (isForbiddenTarget(claim)) {
      this.dropped.push({ claim, reason: "reserved claim" });
      return;
    }
    const size =
      Buffer.byteLength(JSON.stringify(claim)) + Buffer.byteLength(JSON.stringify(value)) + 2;
    if (this.bytes + size > LIMITS.bytesPerToken) {
      this.dropped.push({ claim, reason: "token claim budget exceeded" });
      return;
    }
    this.bytes += size;
    this.claims.set(claim, value);
  }
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function attributeClaims(
  rules: readonly AttributeClaimRule[],
  attributes: Readonly<Record<string, string>>,
  dropped: DroppedClaim[],
): Map<AttributeClaimRule, ClaimValue> {
  const out = new Map<AttributeClaimRule, ClaimValue>();
  for (const rule of rules) {
    if (!Object.hasOwn(attributes, rule.attribute)) continue;
    const raw = attributes[rule.attribute] as string;
    const converted = convertAttribute(raw, rule.type);
    if (converted.ok) out.set(rule, converted.value);
    else dropped.push({ claim: rule.claim, reason: converted.reason });
  }
  return out;
}

function rolesFor(
  config: PreTokenConfig,
  groups: readonly string[],
  dropped: DroppedClaim[],
): string[] {
  const rule = config.roles;
  if (!rule) return [];
  const roles = sorted(groups.flatMap((group) => rule.groups.get(group) ?? []));
  if (roles.length <= LIMITS.listItems) return roles;
  dropped.push({
    claim: rule.claim,
    reason: `more than ${LIMITS.listItems} roles, list truncated`,
  });
  return roles.slice(0, LIMITS.listItems);
}

function groupOverrideFor(config: PreTokenConfig, user: UserContext): GroupOverride | undefined {
  const rule = config.groupOverride;
  if (!rule) return undefined;
  const visible = rule.visibleGroups;
  const groupsToOverride = visible ? user.groups.filter((g) => visible.has(g)) : [...user.groups];
  if (rule.preferredRoles.length === 0) {
    return {
      groupsToOverride,
      iamRolesToOverride: [...user.iamRoles],
      ...(user.preferredRole ? { preferredRole: user.preferredRole } : {}),
    };
  }
  const member = new Set(user.groups);
  const matched = rule.preferredRoles.filter((p) => member.has(p.group));
  const iamRolesToOverride = [...new Set(matched.map((p) => p.roleArn))];
  const preferredRole = iamRolesToOverride[0];
  return { groupsToOverride, iamRolesToOverride, ...(preferredRole ? { preferredRole } : {}) };
}

function userScopes(
  config: PreTokenConfig,
  groups: readonly string[],
): { add: string[]; suppress: string[] } {
  const rules = config.scopes;
  const granted = new Set<string>();
  const suppress = new Set<string>(rules.suppress);
  for (const group of groups) {
    const change = rules.groups.get(group);
    if (!change) continue;
    for (const s of change.add) granted.add(s);
    for (const s of change.suppress) suppress.add(s);
  }
  if (rules.suppressUngranted) {
    for (const change of rules.groups.values()) {
      for (const s of change.add) if (!granted.has(s)) suppress.add(s);
    }
  }
  // Suppression wins over a grant: a scope one group removes is never added by another.
  return { add: sorted([...granted].filter((s) => !suppress.has(s))), suppress: sorted(suppress) };
}

/**
 * The customisation for a user's tokens (every trigger source but client credentials).
 * Same result for V1, V2 and V3: the version only decides which parts Cognito applies.
 */
export function buildUserCustomisation(
  config: PreTokenConfig,
  user: UserContext,
): TokenCustomisation {
  const dropped: DroppedClaim[] = [];
  const values = attributeClaims(config.claims, user.attributes, dropped);
  const roles = config.roles ? rolesFor(config, user.groups, dropped) : undefined;
  const tokenClaims = (token: TokenKind): Map<string, ClaimValue> => {
    const set = new ClaimSet(dropped);
    for (const [rule, value] of values) if (rule.tokens.includes(token)) set.add(rule.claim, value);
    if (config.roles && roles && config.roles.tokens.includes(token))
      set.add(config.roles.claim, roles);
    return set.claims;
  };
  const scopes = userScopes(config, user.groups);
  const groupOverride = groupOverrideFor(config, user);
  return {
    id: { claims: tokenClaims("id"), suppress: config.suppressClaims.id },
    access: {
      claims: tokenClaims("access"),
      suppress: config.suppressClaims.access,
      scopesToAdd: scopes.add,
      scopesToSuppress: scopes.suppress,
    },
    ...(groupOverride ? { groupOverride } : {}),
    dropped: dedupeDropped(dropped),
  };
}

// A claim dropped for both tokens is reported once.
function dedupeDropped(dropped: DroppedClaim[]): DroppedClaim[] {
  const seen = new Set<string>();
  return dropped.filter((d) => {
    const key = `${d.claim}\u0000${d.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const NO_CLAIMS: ClaimChanges = { claims: new Map(), suppress: [] };

/**
 * The customisation for a client-credentials (M2M) access token, from the
 * per-client map. An unknown client gets nothing added, or is denied when
 * `denyUnknownClients` is set.
 */
export function buildClientCustomisation(
  config: PreTokenConfig,
  clientId: string | undefined,
): ClientDecision {
  const rule = clientId === undefined ? undefined : config.clients.get(clientId);
  if (!rule) {
    if (config.denyUnknownClients) return { kind: "deny", reason: "client is not configured" };
    return {
      kind: "customise",
      customisation: {
        id: NO_CLAIMS,
        access: { ...NO_CLAIMS, scopesToAdd: [], scopesToSuppress: [] },
        dropped: [],
      },
    };
  }
  const dropped: DroppedClaim[] = [];
  const set = new ClaimSet(dropped);
  for (const [claim, value] of rule.claims) set.add(claim, value);
  const suppress = new Set(rule.scopes.suppress);
  return {
    kind: "customise",
    customisation: {
      id: NO_CLAIMS,
      access: {
        claims: set.claims,
        suppress: [],
        scopesToAdd: sorted(rule.scopes.add.filter((s) => !suppress.has(s))),
        scopesToSuppress: sorted(suppress),
      },
      dropped,
    },
  };
}
