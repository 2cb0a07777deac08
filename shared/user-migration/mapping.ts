/**
 * The pure part of user migration: from a legacy record to the attributes Cognito creates the
 * user with. No I/O; tested with plain objects.
 */
import { looksLikeEmail, MAX_ATTRIBUTE_LENGTH } from "../cognito-attributes";
import { normaliseEmail } from "../events";
import type { LegacyUser } from "./store";

/** Attributes a migration may not set: Cognito owns them, or this trigger computes them. */
export const RESERVED_TARGETS = new Set([
  "sub",
  "username",
  "email_verified",
  "phone_number_verified",
  "identities",
  "cognito:user_status",
  "cognito:mfa_enabled",
]);

/** legacy field name -> Cognito attribute name. */
export type AttributeMap = Readonly<Record<string, string>>;

/** What Cognito should create, or why the record cannot be migrated. */
export type MigrationPlan =
  | {
      readonly kind: "migrate";
      /** The response's `userAttributes` (strings, as Cognito wants them). */
      readonly userAttributes: Record<string, string>;
    }
  | { readonly kind: "refuse"; readonly reason: string };

function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  return undefined;
}

/**
 * Map a legacy user to Cognito attributes: each mapped field that holds a string, number or
 * boolean becomes a string; empty values are dropped; `email` is trimmed and lower-cased;
 * `email_verified` is "true" only when the legacy system says so (and there is an email). A
 * value over Cognito's 2048 characters, or an email that is not one, refuses the record (the
 * user is told the generic sign-in failure; the log says why).
 */
export function planMigration(user: LegacyUser, map: AttributeMap): MigrationPlan {
  const userAttributes: Record<string, string> = Object.create(null);
  for (const [field, attribute] of Object.entries(map)) {
    if (!Object.hasOwn(user.fields, field)) continue;
    let text = asText(user.fields[field]);
    if (text === undefined || text === "") continue;
    if (attribute === "email") {
      text = normaliseEmail(text);
      if (!looksLikeEmail(text))
        return { kind: "refuse", reason: "legacy email is not an address" };
    }
    if (text.length > MAX_ATTRIBUTE_LENGTH) {
      return {
        kind: "refuse",
        reason: `legacy field ${field} exceeds ${MAX_ATTRIBUTE_LENGTH} characters`,
      };
    }
    userAttributes[attribute] = text;
  }
  if (user.emailVerified && userAttributes.email !== undefined) {
    userAttributes.email_verified = "true";
  }
  return { kind: "migrate", userAttributes };
}

/** True when the value a legacy system gives for "email verified" means yes (`true`, `"true"`, `1`). */
export function legacyFlagIsTrue(value: unknown): boolean {
  return (
    value === true ||
    value === 1 ||
    (typeof value === "string" && value.trim().toLowerCase() === "true")
  );
}
