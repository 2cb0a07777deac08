/**
 * The custom email sender handler: decrypts the code Cognito sends, renders the message in
 * the user's locale and sends it once (see once.ts). Built from injected config, logger,
 * decrypter and send-once function.
 */
import type { Context, CustomEmailSenderTriggerEvent } from "aws-lambda";
import type { CallTiming } from "../aws/clients";
import { cognitoTrigger } from "../cognito-trigger";
import { InvalidEventError } from "../errors";
import type { Logger } from "../logger";
import type { Catalog } from "../messaging/templates";
import type { CodeDecrypter } from "./decrypt";
import type { SendOnce } from "./once";
import { planEmail } from "./plan";
import { CUSTOM_EMAIL_SENDER_SOURCES } from "./sources";

/** What the handler needs. */
export interface CustomEmailSenderDeps {
  readonly catalog: Catalog;
  readonly codeHashKey: string;
  readonly timing: CallTiming;
  readonly logger: Logger;
  readonly decrypt: CodeDecrypter;
  readonly sendOnce: SendOnce;
}

/** Build the custom email sender handler. */
export function createCustomEmailSenderHandler(
  deps: CustomEmailSenderDeps,
): (
  event: CustomEmailSenderTriggerEvent,
  context?: Context,
) => Promise<CustomEmailSenderTriggerEvent> {
  const { catalog, codeHashKey, timing, logger, decrypt, sendOnce } = deps;
  return cognitoTrigger<CustomEmailSenderTriggerEvent>(
    logger,
    CUSTOM_EMAIL_SENDER_SOURCES,
    async (event, context, deadline) => {
      const source = event.triggerSource;
      const encrypted: unknown = event.request.code;
      const notification = source === "CustomEmailSender_AccountTakeOverNotification";
      if (!notification && (typeof encrypted !== "string" || encrypted === "")) {
        throw new InvalidEventError("request.code is missing");
      }
      const code = notification ? undefined : await decrypt(encrypted as string);
      const plan = planEmail(event, code, catalog, codeHashKey);
      if (plan.kind === "skip") {
        // Nothing to send to; failing would only make Cognito retry the same event.
        logger.warn("Custom email not sent", { source, reason: plan.reason });
        return event;
      }
      const result = await sendOnce(plan.key, plan.email, deadline, context);
      const fields = { source, locale: plan.locale, result };
      if (result === "unknown") {
        logger.error("Custom email: SES outcome unknown; recorded as sent, not resent", fields);
      } else if (result === "sent-unrecorded") {
        logger.error("Custom email sent without an idempotency record (table unusable)", fields);
      } else {
        logger.info("Custom email handled", fields);
      }
      return event;
    },
    { timing },
  );
}
