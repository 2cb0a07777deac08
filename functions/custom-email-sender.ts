/**
 * Custom email sender trigger (opt-in: `customEmailSender`): Cognito hands over every email it
 * would send, the code encrypted with the pool's KMS key; this decrypts it (AWS Encryption
 * SDK, KMS keyring), renders the repository's templates and sends through SES v2, once per
 * (user, source, code). See docs/messages.md.
 */
import type { CustomEmailSenderTriggerHandler } from "aws-lambda";
import { createCustomEmailSenderAdapters } from "../shared/custom-email-sender/adapters";
import { loadCustomEmailSenderConfig } from "../shared/custom-email-sender/config";
import { createCustomEmailSenderHandler } from "../shared/custom-email-sender/handler";
import { createLogger } from "../shared/logger";

// Cold start: settings and templates checked, keyring and clients built once per container.
const config = loadCustomEmailSenderConfig(process.env);
const logger = createLogger("customEmailSender");
const adapters = createCustomEmailSenderAdapters(config);
logger.debug("Custom email sender adapters", adapters.describe);

const customEmailSender = createCustomEmailSenderHandler({
  catalog: config.catalog,
  codeHashKey: config.codeHashKey,
  timing: config.common,
  logger,
  decrypt: adapters.decrypt,
  sendOnce: adapters.sendOnce,
});

/** The Lambda handler Cognito invokes. */
export const handler: CustomEmailSenderTriggerHandler = (event, context) =>
  customEmailSender(event, context);
