/**
 * One attempt at an email, reported instead of thrown: the rules every sender of a one-time
 * code follows (no resend of an email SES may have accepted; the caller decides what a failure
 * means for its user). See docs/adr/send-once-and-answer-the-same.md.
 */
import type { Deadline } from "../aws/clients";
import { type EmailSender, type OutgoingEmail, SendRefusedError } from "./email";

/**
 * What became of one email: `sent` (SES accepted it), `not-sent` (SES refused it, or it never
 * reached SES: nobody will receive it), or `unknown` (timed out, aborted, 5xx, an unexpected
 * error: it may still arrive, so it must not be sent again and what it carries stays valid).
 */
export type DeliveryOutcome =
  | { readonly status: "sent" }
  | { readonly status: "not-sent" | "unknown"; readonly error: Error };

/**
 * Send `message` once through `sender` and report the outcome; never throws. The sender's
 * client makes one attempt (see `sesClientConfig` in ./sender), so nothing here or below resends.
 */
export async function sendOnce(
  sender: EmailSender,
  message: OutgoingEmail,
  deadline?: Deadline,
): Promise<DeliveryOutcome> {
  try {
    await sender.send(message, deadline);
    return { status: "sent" };
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    return { status: caught instanceof SendRefusedError ? "not-sent" : "unknown", error };
  }
}
