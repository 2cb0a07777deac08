/**
 * Guards for the untrusted parts of the custom-auth events: the session array
 * (challenge results so far) and the user facts every step derives the same way.
 */
import { attributeIsTrue, readStringMap } from "../events";
import type { EligibilityPolicy } from "./config";

/** One entry of `request.session`, as read (unknown names kept, so they can be refused). */
export interface SessionEntry {
  readonly challengeName: string;
  readonly challengeResult: boolean;
  readonly challengeMetadata?: string | undefined;
}

/**
 * Read `request.session`: absent/null is an empty session; an entry that is not
 * `{ challengeName: string, challengeResult: boolean }` becomes an entry named
 * `INVALID` with a false result, which the state machine refuses.
 */
export function readSession(value: unknown): SessionEntry[] {
  if (!Array.isArray(value)) return [];
  return value.map((item: unknown) => {
    if (typeof item !== "object" || item === null) {
      return { challengeName: "INVALID", challengeResult: false };
    }
    const { challengeName, challengeResult, challengeMetadata } = item as Record<string, unknown>;
    if (typeof challengeName !== "string" || typeof challengeResult !== "boolean") {
      return { challengeName: "INVALID", challengeResult: false };
    }
    return {
      challengeName,
      challengeResult,
      challengeMetadata: typeof challengeMetadata === "string" ? challengeMetadata : undefined,
    };
  });
}

/** Whether a code may really be sent to this user, and where. */
export type Recipient =
  | { readonly kind: "deliver"; readonly email: string }
  | { readonly kind: "pretend"; readonly reason: PretendReason };

/** Why the code is not really sent (logged; never told to the caller). */
export type PretendReason = "user-not-found" | "not-confirmed" | "no-email" | "email-not-verified";

// Only confirmed users may sign in this way: RESET_REQUIRED and FORCE_CHANGE_PASSWORD users must
// go through their password change first (Cognito sends `cognito:user_status` in userAttributes).
const SIGN_IN_STATUSES = new Set(["CONFIRMED"]);

// One bare address (local@domain): no second address (`,` `;` whitespace), display name
// (`<>` quotes), comment or line break, so the code goes to exactly one mailbox whatever a
// sender makes of the string.
const PLAIN_ADDRESS = /^[^\s@,;:<>()[\]"\\\p{Cc}]+@[^\s@,;:<>()[\]"\\\p{Cc}]+$/u;

/**
 * Decide whether the user of an event can receive a code. Unknown users
 * (`request.userNotFound`, sent when the app client prevents user existence
 * errors), users who are not confirmed, and users with no (verified) single email address all
 * get the pretend path: same steps, same response shape, no email, no success.
 */
export function recipientOf(
  request: { userNotFound?: unknown; userAttributes?: unknown },
  policy: EligibilityPolicy,
): Recipient {
  if (request.userNotFound === true) return { kind: "pretend", reason: "user-not-found" };
  const attributes = readStringMap(request.userAttributes);
  const status = attributes["cognito:user_status"];
  // Absent status: Cognito always sends it for existing users; hand-written events may not.
  if (status !== undefined && !SIGN_IN_STATUSES.has(status.toUpperCase())) {
    return { kind: "pretend", reason: "not-confirmed" };
  }
  const email = attributes.email?.trim();
  if (email === undefined || !PLAIN_ADDRESS.test(email)) {
    return { kind: "pretend", reason: "no-email" };
  }
  if (policy.requireVerifiedEmail && !attributeIsTrue(attributes.email_verified)) {
    return { kind: "pretend", reason: "email-not-verified" };
  }
  return { kind: "deliver", email };
}
