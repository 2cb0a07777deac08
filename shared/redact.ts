/**
 * Redaction of secrets from anything that is about to be logged, by where a value comes from:
 * the secret-bearing parts of a trigger event (answers, challenge parameters, session, client
 * metadata, codes) and keys that only ever name a secret (tokens, passwords). Any string that
 * looks like a JWT is masked wherever it appears, even inside a message.
 */
import { isRecord } from "./guards";

/** What a redacted value is replaced with. */
export const REDACTED = "[REDACTED]";

// Key names that only ever hold a secret, at any depth. Matched case-insensitively on the
// whole key, after removing `-` and `_`, so `id_token`, `IdToken`, `x-api-key` all match.
// Generic names that errors and AWS responses share (`code`, `message`) are NOT here: a
// network error's `code: "ECONNREFUSED"` must stay readable. Secrets under such names are
// found by their origin instead (see EVENT_SECRET_FIELDS).
const SECRET_KEYS = new Set([
  "authorization",
  "authorizationtoken",
  "token",
  "idtoken",
  "accesstoken",
  "refreshtoken",
  "jwt",
  "password",
  "newpassword",
  "previouspassword",
  "temporarypassword",
  "otp",
  "secretcode",
  "confirmationcode",
  "invitecode",
  "answer",
  "challengeanswer",
  "challengeresponses",
  "secret",
  "clientsecret",
  "secrethash",
  "apikey",
  "xapikey",
  "cookie",
  "privatechallengeparameters",
  "publicchallengeparameters",
  "clientmetadata",
  "validationdata",
  // Custom auth: the code's salted hash travels in challengeMetadata (as good as the code: six
  // digits are recovered from hash + salt in about a second), and Cognito's Session token
  // continues a sign-in. The event's `request.session` array (which carries challengeMetadata)
  // is redacted whole under this key; the handlers log its length instead.
  "challengemetadata",
  "salt",
  "session",
  "codehash",
  "codeparameter",
  "usernameparameter",
  "linkparameter",
  // Magic links: the link itself (its token signs the user in once), and its nonce.
  "magiclink",
  "nonce",
]);

// The fields of a trigger event's `request` that carry a secret whatever their name: the
// custom email sender's encrypted `code`, the user migration `password`, answers, challenge
// parameters, the session, and what the client app chose to send (client metadata,
// validation data), which may hold anything.
const EVENT_SECRET_FIELDS = new Set([
  "code",
  "password",
  "challengeAnswer",
  "privateChallengeParameters",
  "publicChallengeParameters",
  "session",
  "clientMetadata",
  "validationData",
  "codeParameter",
  "usernameParameter",
  "linkParameter",
]);

// Three base64url segments, the first starting like a JSON header ("eyJ" = '{"').
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
// A magic-link token (shared/custom-auth/magic-link/token.ts): a JSON payload segment and an
// 86-character signature, two segments only, so JWT_PATTERN does not see it.
const MAGIC_LINK_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{86}(?![A-Za-z0-9_-])/g;

/** True when a value stored under `key` must never be logged, wherever it is. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.replace(/[-_]/g, "").toLowerCase());
}

/** Mask every JWT-looking (or magic-link-token-looking) substring of `text`. */
export function redactString(text: string): string {
  return text.replace(JWT_PATTERN, REDACTED).replace(MAGIC_LINK_PATTERN, REDACTED);
}

/** A Cognito trigger event (its `triggerSource` and `request`), as it might be logged whole. */
function isTriggerEvent(value: Record<string, unknown>): boolean {
  return typeof value.triggerSource === "string" && isRecord(value.request);
}

/** A shallow copy of a trigger event whose request's secret-bearing fields are redacted. */
function redactEventOrigins(event: Record<string, unknown>): Record<string, unknown> {
  const request = event.request as Record<string, unknown>;
  const safe: Record<string, unknown> = {};
  for (const [field, item] of Object.entries(request)) {
    safe[field] =
      EVENT_SECRET_FIELDS.has(field) && item !== undefined && item !== null ? REDACTED : item;
  }
  return { ...event, request: safe };
}

/**
 * A `JSON.stringify` replacer (and Powertools `jsonReplacerFn`) that redacts secret-bearing
 * event fields, secret-only keys and JWT-looking strings at every depth.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== "" && isSecretKey(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === "string") return redactString(value);
  if (isRecord(value) && isTriggerEvent(value)) return redactEventOrigins(value);
  return value;
}

/** A deep copy of `value` with secrets redacted (for printing outside the logger). */
export function redact<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, redactingReplacer)) as T;
}
