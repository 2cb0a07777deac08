/**
 * The custom email sender's decision, pure: for a validated event and its decrypted code,
 * the email to send and the key that makes sending it once per (user, source, code).
 */
import { createHmac } from "node:crypto";
import type { CustomEmailSenderTriggerEvent } from "aws-lambda";
import { readStringMap } from "../events";
import { writeMessage } from "../messaging/messages";
import type { OutgoingEmail } from "../messaging/sender";
import type { Catalog } from "../messaging/templates";
import { CUSTOM_EMAIL_SENDER_KINDS } from "./sources";

/**
 * What the idempotency key is made of. `proof` is an HMAC of the code (or of the event id of a
 * notification), never the code or a plain digest of it.
 */
export interface SendKey {
  readonly userPoolId: string;
  readonly user: string;
  readonly source: string;
  readonly proof: string;
}

/** Send `email` once for `key`, or skip (nothing a user could receive). */
export type SendPlan =
  | {
      readonly kind: "send";
      readonly email: OutgoingEmail;
      readonly key: SendKey;
      readonly locale: string;
    }
  | { readonly kind: "skip"; readonly reason: string };

// One bare address: no display name, list or line break.
const BARE_ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

/** The HMAC that stands for `secret` (a code) in the idempotency key. */
export function codeProof(hashKey: string, parts: readonly string[]): string {
  return createHmac("sha256", hashKey).update(parts.join("\n")).digest("base64url");
}

/**
 * Plan the email for `event`. `code` is the decrypted code (undefined for the account
 * take-over notification, which carries none).
 */
export function planEmail(
  event: CustomEmailSenderTriggerEvent,
  code: string | undefined,
  catalog: Catalog,
  hashKey: string,
): SendPlan {
  const kind = CUSTOM_EMAIL_SENDER_KINDS[event.triggerSource];
  const attributes = readStringMap(event.request.userAttributes);
  const to = attributes.email?.trim();
  if (to === undefined || to === "")
    return { kind: "skip", reason: "the user has no email attribute" };
  if (!BARE_ADDRESS.test(to))
    return { kind: "skip", reason: "the email attribute is not one bare address" };
  const user = attributes.sub ?? event.userName;
  // The notification has no code; its event id makes the key (one email per detected event).
  const secret = code ?? attributes.EVENT_ID ?? "";
  const message = writeMessage(catalog, kind, {
    userName: event.userName,
    ...(code !== undefined ? { code } : {}),
    attributes,
  });
  return {
    kind: "send",
    locale: message.locale,
    email: { to, subject: message.subject, html: message.html, text: message.text, label: kind },
    key: {
      userPoolId: event.userPoolId,
      user,
      source: event.triggerSource,
      proof: codeProof(hashKey, [event.userPoolId, user, event.triggerSource, secret]),
    },
  };
}
