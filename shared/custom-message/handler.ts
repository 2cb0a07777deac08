/**
 * The custom message handler: writes the branded, localised message for every
 * `CustomMessage_` source into `event.response`. No AWS call, no I/O.
 */
import type { Context, CustomMessageTriggerEvent } from "aws-lambda";
import { cognitoTrigger } from "../cognito-trigger";
import type { Logger } from "../logger";
import { buildCustomMessage } from "./build";
import type { CustomMessageConfig } from "./config";
import { CUSTOM_MESSAGE_SOURCES } from "./sources";

/** Build the custom message handler from its cold-start config and logger. */
export function createCustomMessageHandler(deps: {
  readonly config: CustomMessageConfig;
  readonly logger: Logger;
}): (event: CustomMessageTriggerEvent, context?: Context) => Promise<CustomMessageTriggerEvent> {
  const { config, logger } = deps;
  return cognitoTrigger<CustomMessageTriggerEvent>(logger, CUSTOM_MESSAGE_SOURCES, (event) => {
    const { locale, ...fields } = buildCustomMessage(event, config.catalog);
    event.response.emailSubject = fields.emailSubject;
    event.response.emailMessage = fields.emailMessage;
    event.response.smsMessage = fields.smsMessage;
    // Never the message itself: it holds the user's name and address.
    logger.info("Custom message written", { source: event.triggerSource, locale });
    return event;
  });
}
