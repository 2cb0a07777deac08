/**
 * The masked email shown to the user in `publicChallengeParameters`
 * ("j***@e***.com"): enough to recognise the mailbox, not enough to learn it.
 */
import { createHash } from "node:crypto";

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

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/**
 * A stable, plausible mask for a sign-in attempt with no usable address (unknown
 * user, or a username that is not an email): derived from the pool and username
 * so repeated attempts show the same mask, and shaped like a real one.
 */
export function pretendMask(userPoolId: string, userName: string): string {
  const masked = maskEmail(userName);
  if (masked !== undefined) return masked;
  const bytes = createHash("sha256").update(`${userPoolId}\n${userName}`).digest();
  const a = LETTERS[(bytes[0] ?? 0) % LETTERS.length];
  const b = LETTERS[(bytes[1] ?? 0) % LETTERS.length];
  return `${a}***@${b}***.com`;
}
