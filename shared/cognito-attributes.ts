/**
 * User pool attribute names and limits, shared by the triggers that write user attributes
 * (user migration, inbound federation).
 */

/** Cognito's limit on one attribute value (characters). */
export const MAX_ATTRIBUTE_LENGTH = 2048;

/** The standard attributes a trigger may write (Cognito owns `sub`, `identities` and the status). */
export const STANDARD_ATTRIBUTES: ReadonlySet<string> = new Set([
  "address",
  "birthdate",
  "email",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "picture",
  "preferred_username",
  "profile",
  "updated_at",
  "website",
  "zoneinfo",
]);

// `custom:` plus Cognito's 1-20 character custom attribute name.
const CUSTOM = /^custom:[A-Za-z0-9_-]{1,20}$/;

/** True for a standard attribute a trigger may write, or a well-formed `custom:<name>`. */
export function isWritableAttribute(name: string): boolean {
  return STANDARD_ATTRIBUTES.has(name) || CUSTOM.test(name);
}

/** True for a `custom:<name>` attribute name. */
export function isCustomAttribute(name: string): boolean {
  return CUSTOM.test(name);
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** True when `value` (already trimmed and lower-cased) has the shape of an email address. */
export function looksLikeEmail(value: string): boolean {
  return EMAIL.test(value);
}
