/**
 * Custom message trigger: Cognito's verification, invitation, password-reset and sign-in
 * code messages (email and SMS), from the repository's templates in the user's locale.
 * Cognito fills in the code and sends the message. See docs/messages.md.
 */
import type { CustomMessageTriggerHandler } from "aws-lambda";
import { loadCustomMessageConfig } from "../shared/custom-message/config";
import { createCustomMessageHandler } from "../shared/custom-message/handler";
import { createLogger } from "../shared/logger";

// Cold start: the settings and every template checked once per container.
const config = loadCustomMessageConfig(process.env);
const logger = createLogger("customMessage");
const customMessage = createCustomMessageHandler({ config, logger });

/** The Lambda handler Cognito invokes. */
export const handler: CustomMessageTriggerHandler = (event, context) =>
  customMessage(event, context);
