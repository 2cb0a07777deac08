/**
 * The hint shown to the user in `publicChallengeParameters.email`: the email
 * they typed, masked ("j***@e***.com"), or one fixed text.
 *
 * It must not tell real users from unknown ones. So it is built only from what
 * the caller typed, never from a user's stored attributes alone: an unknown
 * user's hint can only come from the typed value, so a real user's must too.
 */
import type { EmailHintMode } from "./config";

/** The hint when the caller did not type an email (the same text for everyone). */
export const FIXED_EMAIL_HINT = "your email on file";

/** Mask a well-formed email: first letter of the local part and of the domain, the rest of the domain after its first dot. */
export function maskEmail(email: string): string | undefined {
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf("@");
  if (at <= 0 || at === trimmed.length - 1) return undefined;
  const local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1);
  const dot = domain.indexOf(".");
  const suffix = dot > 0 ? domain.slice(dot) : "";
  return `${[...local][0]}***@${[...domain][0]}***${suffix}`;
}

// A username Cognito generated (pools with `UsernameAttributes: [email]`): nobody types it.
const GENERATED_USERNAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the hint is built from: the event's `userName`, and for existing users their email. */
export interface HintSource {
  /** `event.userName`: what the caller typed for an unknown user; the pool's username otherwise. */
  readonly userName: string;
  readonly userNotFound: boolean;
  /** The user's `email` attribute (existing users only). */
  readonly email: string | undefined;
}

/**
 * The public hint for a sign-in, the same way for real and unknown users:
 * - `userName` is an email: that email, masked (for an unknown user it is
 *   exactly what was typed; for a real one, the username they typed);
 * - a real user whose username is a generated UUID: the pool signs in by email,
 *   so the caller typed the user's email; mask that, which gives the same text
 *   as masking the typed value (masking ignores case);
 * - anything else (a non-email username, real or not): {@link FIXED_EMAIL_HINT}.
 * With `mode: "fixed"`, always the fixed text (pools where users may sign in with
 * an alias or phone number: see docs/custom-auth.md).
 */
export function publicEmailHint(source: HintSource, mode: EmailHintMode): string {
  if (mode === "fixed") return FIXED_EMAIL_HINT;
  const typedEmail = maskEmail(source.userName);
  if (typedEmail !== undefined) return typedEmail;
  if (!source.userNotFound && GENERATED_USERNAME.test(source.userName) && source.email) {
    return maskEmail(source.email) ?? FIXED_EMAIL_HINT;
  }
  return FIXED_EMAIL_HINT;
}
