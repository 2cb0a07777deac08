/**
 * Custom email sender trigger (opt-in: `customEmailSender`): Cognito hands over every email it
 * would send, the code encrypted with the pool's KMS key; this decrypts it (AWS Encryption
 * SDK, KMS keyring), renders the repository's templates and sends through SES v2, once per
 * (user, source, code). See docs/messages.md.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { CustomEmailSenderTriggerHandler } from "aws-lambda";
import { localEngineOptions, sdkClientConfig } from "../shared/aws/clients";
import { loadCustomEmailSenderConfig } from "../shared/custom-email-sender/config";
import { createCodeDecrypter, kmsKeyring } from "../shared/custom-email-sender/decrypt";
import { createCustomEmailSenderHandler } from "../shared/custom-email-sender/handler";
import { powertoolsSendOnce } from "../shared/custom-email-sender/once";
import { createLogger } from "../shared/logger";
import { buildEmailSender } from "../shared/messaging/sender";

// Cold start: settings and templates checked, clients and keyring built once per container.
const config = loadCustomEmailSenderConfig(process.env);
const logger = createLogger("customEmailSender");
const sdk = sdkClientConfig(config.common);
const sender = buildEmailSender({ ...config.common, ...config, sdk });
const dynamo = new DynamoDBClient({
  ...sdk,
  ...(config.common.localMode && config.dynamoEndpoint !== undefined
    ? localEngineOptions(config.dynamoEndpoint, config.awsRegion)
    : {}),
});
const customEmailSender = createCustomEmailSenderHandler({
  catalog: config.catalog,
  codeHashKey: config.codeHashKey,
  timing: config.common,
  logger,
  decrypt: createCodeDecrypter(kmsKeyring(config.kmsKeyArn, sdk)),
  sendOnce: powertoolsSendOnce(sender, dynamo, {
    tableName: config.idempotencyTableName,
    ttlSeconds: config.idempotencyTtlSeconds,
  }),
});

/** The Lambda handler Cognito invokes. */
export const handler: CustomEmailSenderTriggerHandler = (event, context) =>
  customEmailSender(event, context);
