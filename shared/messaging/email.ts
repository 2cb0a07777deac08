/**
 * The contract of every message sender: one email, the sender interface, and the two ways a
 * send fails. Free of the AWS SDK, so handlers that are given a sender do not load it.
 */
import type { Deadline } from "../aws/clients";
import { DependencyError } from "../errors";

/** One email: a text body, and an HTML body when the message has one. */
export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Names the outbox file in local mode (`custom-auth`, `sign-up`...). */
  readonly label: string;
}

/** SES answered that it did not take the email (4xx), or the request never reached SES. */
export class SendRefusedError extends DependencyError {}

/** The email may or may not have been accepted (timeout, abort, 5xx, network): do not resend. */
export class SendOutcomeUnknownError extends DependencyError {}

/** Delivers an email; rejects with a {@link SendRefusedError} or a {@link SendOutcomeUnknownError}. */
export interface EmailSender {
  /** Send `message`; a sender that calls AWS stops at `deadline` when given. */
  send(message: OutgoingEmail, deadline?: Deadline): Promise<void>;
}
