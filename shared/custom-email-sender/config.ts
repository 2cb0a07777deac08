/**
 * The custom email sender's configuration and templates, loaded once at cold start: a bad
 * variable or template file fails the first invocation, naming it.
 */
import { type CommonConfig, loadCommonConfig } from "../config/common";
import {
  awsEndpoint,
  type Env,
  optionalString,
  readInteger,
  requireString,
  requireTableName,
} from "../config/env";
import { ConfigError } from "../errors";
import { loadMessagingConfig, type MessagingConfig } from "../messaging/config";
import { loadMessageCatalog } from "../messaging/messages";
import type { Catalog } from "../messaging/templates";
import { LOCAL_CODE_HASH_KEY } from "./local";
import { CUSTOM_EMAIL_SENDER_KINDS } from "./sources";

/** What the custom email sender runs on. */
export interface CustomEmailSenderConfig {
  readonly common: CommonConfig;
  readonly messaging: MessagingConfig;
  /** Every email kind (no SMS), checked. */
  readonly catalog: Catalog;
  /**
   * CUSTOM_EMAIL_SENDER_KMS_KEY_ARN: the pool's KMS key (`arn:<partition>:kms:<region>:<account>:key/<id>`),
   * the only key codes are decrypted with. Required outside local mode; unset in local mode,
   * the published local key is used (the sample events are encrypted under it).
   */
  readonly kmsKeyArn: string | undefined;
  /** CUSTOM_EMAIL_SENDER_FROM_ADDRESS: the From address (a bare address of a verified SES identity). */
  readonly fromAddress: string;
  /** CUSTOM_EMAIL_SENDER_SES_CONFIGURATION_SET: SES configuration set of the emails; unset: none. */
  readonly configurationSet: string | undefined;
  /** AWS_ENDPOINT_URL_SESV2 (or AWS_ENDPOINT_URL): in local mode, an SES stand-in to send to instead of the outbox. */
  readonly sesEndpoint: string | undefined;
  /** CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TABLE_NAME: the Powertools idempotency table (key `id`, TTL attribute `expiration`). */
  readonly idempotencyTableName: string;
  /** CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TTL_SECONDS: how long a sent email is remembered (default 86400: a sign-up code's lifetime; 300-604800). */
  readonly idempotencyTtlSeconds: number;
  /**
   * CUSTOM_EMAIL_SENDER_CODE_HASH_KEY: the HMAC key (at least 32 characters) that turns a code
   * into the idempotency key, so the table never holds a digest a 6-digit code could be
   * guessed from. The stack generates it (Secrets Manager) and passes it in. Optional in local
   * mode (a fixed local key).
   */
  readonly codeHashKey: string;
  /** AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL): in local mode, the DynamoDB engine (dynalite). */
  readonly dynamoEndpoint: string | undefined;
  /** AWS_REGION: set by Lambda. */
  readonly awsRegion: string | undefined;
}

/** Default of {@link CustomEmailSenderConfig.idempotencyTtlSeconds}. */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 86_400;

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
// One bare address: no display name, list or line break (the SES From header).
const BARE_ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

/** Parse the settings and check the templates (with `files` instead of the repository's in tests). */
export function loadCustomEmailSenderConfig(
  env: Env = process.env,
  files?: Readonly<Record<string, string>>,
): CustomEmailSenderConfig {
  const common = loadCommonConfig(env);
  const messaging = loadMessagingConfig(env);
  const kmsKeyArn = common.localMode
    ? optionalString(env, "CUSTOM_EMAIL_SENDER_KMS_KEY_ARN")
    : requireString(env, "CUSTOM_EMAIL_SENDER_KMS_KEY_ARN");
  if (kmsKeyArn !== undefined && !KMS_KEY_ARN.test(kmsKeyArn)) {
    throw new ConfigError(
      "CUSTOM_EMAIL_SENDER_KMS_KEY_ARN",
      "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
    );
  }
  const fromAddress = requireString(env, "CUSTOM_EMAIL_SENDER_FROM_ADDRESS");
  if (!BARE_ADDRESS.test(fromAddress)) {
    throw new ConfigError("CUSTOM_EMAIL_SENDER_FROM_ADDRESS", "must be one bare email address");
  }
  const codeHashKey = common.localMode
    ? optionalString(env, "CUSTOM_EMAIL_SENDER_CODE_HASH_KEY", LOCAL_CODE_HASH_KEY)
    : requireString(env, "CUSTOM_EMAIL_SENDER_CODE_HASH_KEY");
  if (codeHashKey.length < 32) {
    throw new ConfigError("CUSTOM_EMAIL_SENDER_CODE_HASH_KEY", "must be at least 32 characters");
  }
  return {
    common,
    messaging,
    catalog: loadMessageCatalog(messaging, Object.values(CUSTOM_EMAIL_SENDER_KINDS), false, files),
    kmsKeyArn,
    fromAddress,
    configurationSet: optionalString(env, "CUSTOM_EMAIL_SENDER_SES_CONFIGURATION_SET"),
    sesEndpoint: awsEndpoint(env, "SESV2"),
    idempotencyTableName: requireTableName(env, "CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TABLE_NAME"),
    idempotencyTtlSeconds: readInteger(
      env,
      "CUSTOM_EMAIL_SENDER_IDEMPOTENCY_TTL_SECONDS",
      DEFAULT_IDEMPOTENCY_TTL_SECONDS,
      { min: 300, max: 604_800 },
    ),
    codeHashKey,
    dynamoEndpoint: awsEndpoint(env, "DYNAMODB"),
    awsRegion: optionalString(env, "AWS_REGION"),
  };
}
