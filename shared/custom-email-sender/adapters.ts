/**
 * The custom email sender's adapters, chosen in one place: in AWS the KMS keyring, SES v2 and
 * Powertools Idempotency on DynamoDB; in local mode the published local key (unless a KMS key
 * is configured), the local outbox and, without a DynamoDB engine, an in-memory record.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localEngineOptions, sdkClientConfig } from "../aws/clients";
import { createEmailSender } from "../messaging/sender";
import type { CustomEmailSenderConfig } from "./config";
import { type CodeDecrypter, createCodeDecrypter, kmsKeyring } from "./decrypt";
import { inMemorySendOnce, localKeyring } from "./local";
import { powertoolsSendOnce, type SendOnce } from "./once";

/** The adapters, and what was chosen (for a debug log line). */
export interface CustomEmailSenderAdapters {
  readonly decrypt: CodeDecrypter;
  readonly sendOnce: SendOnce;
  readonly describe: Readonly<Record<string, string>>;
}

/** Build the adapters for `config` (once per container). */
export function createCustomEmailSenderAdapters(
  config: CustomEmailSenderConfig,
): CustomEmailSenderAdapters {
  const sdk = sdkClientConfig(config.common);
  const sender = createEmailSender({ ...config.common, ...config, sdk });
  const local = config.common.localMode;
  const decrypt = createCodeDecrypter(
    config.kmsKeyArn === undefined ? localKeyring() : kmsKeyring(config.kmsKeyArn, sdk),
  );
  const recordLocally = local && config.dynamoEndpoint === undefined;
  const sendOnce = recordLocally
    ? inMemorySendOnce(sender)
    : powertoolsSendOnce(
        sender,
        new DynamoDBClient({
          ...sdk,
          ...(local && config.dynamoEndpoint !== undefined
            ? localEngineOptions(config.dynamoEndpoint, config.awsRegion)
            : {}),
        }),
        { tableName: config.idempotencyTableName, ttlSeconds: config.idempotencyTtlSeconds },
      );
  return {
    decrypt,
    sendOnce,
    describe: {
      key: config.kmsKeyArn === undefined ? "local" : "kms",
      sender: sender.constructor.name,
      record: recordLocally ? "memory" : "dynamodb",
    },
  };
}
