/**
 * Redaction of secrets from anything that is about to be logged.
 *
 * Two nets: keys whose name says "secret" (token, code, password, answer...)
 * have their value replaced, and any string that looks like a JWT is masked
 * wherever it appears, even inside a message.
 */

/** What a redacted value is replaced with. */
export const REDACTED = "[REDACTED]";

// Key names whose values are always secret. Matched case-insensitively on the
// whole key, after removing `-` and `_`, so `id_token`, `IdToken`, `x-api-key` all match.
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
  "code",
  "otp",
  "secretcode",
  "confirmationcode",
  "invitecode",
  "answer",
  "challengeanswer",
  "secret",
  "clientsecret",
  "secrethash",
  "apikey",
  "xapikey",
  "cookie",
  "privatechallengeparameters",
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
]);

// Three base64url segments, the first starting like a JSON header ("eyJ" = '{"').
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;

/** True when a value stored under `key` must never be logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.replace(/[-_]/g, "").toLowerCase());
}

/** Mask every JWT-looking substring of `text`. */
export function redactString(text: string): string {
  return text.replace(JWT_PATTERN, REDACTED);
}

/**
 * A `JSON.stringify` replacer (and Powertools `jsonReplacerFn`) that redacts
 * secret keys and JWT-looking strings at every depth.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== "" && isSecretKey(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === "string") return redactString(value);
  return value;
}

/** A deep copy of `value` with secrets redacted (for printing outside the logger). */
export function redact<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, redactingReplacer)) as T;
}
