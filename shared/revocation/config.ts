/**
 * The revocation writer's configuration, parsed and validated once at cold start; a bad or
 * missing value is a ConfigError naming the variable.
 */
import { type CommonConfig, loadCommonConfig } from "../config/common";
import {
  awsEndpoint,
  type Env,
  optionalString,
  readInteger,
  readList,
  requireTableName,
} from "../config/env";
import { ConfigError } from "../errors";
import { DEFAULT_REVOCATION_TTL_SECONDS } from "./writer";

/** Settings of the revocation writer (docs/authorizer.md#revocation-writer). */
export interface RevocationWriterConfig extends CommonConfig {
  /** REVOCATION_TABLE_NAME: the DynamoDB table of `sub -> revokedAt` the authorizer reads. */
  readonly tableName: string;
  /** REVOCATION_TTL_SECONDS: how long a revocation is kept (300-86400, default 86400): at least the pool's longest token lifetime. */
  readonly ttlSeconds: number;
  /**
   * REVOCATION_USER_POOL_IDS: comma-separated pools whose events are written (the rule sees
   * every pool of the account and region). Required; unset in local mode means any pool.
   */
  readonly userPoolIds: readonly string[] | undefined;
  /** AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL): in local mode, the DynamoDB engine (dynalite). */
  readonly dynamoEndpoint: string | undefined;
  /** AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (or AWS_ENDPOINT_URL): in local mode, cognito-local. */
  readonly cognitoEndpoint: string | undefined;
  /** AWS_REGION: set by Lambda; a local engine gets eu-west-1 when unset. */
  readonly awsRegion: string | undefined;
}

const POOL_ID = /^[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+$/;

/** Parse the writer's settings from `env`. */
export function loadRevocationWriterConfig(env: Env = process.env): RevocationWriterConfig {
  const common = loadCommonConfig(env);
  const pools = readList(env, "REVOCATION_USER_POOL_IDS");
  const bad = pools.filter((id) => !POOL_ID.test(id));
  if (bad.length > 0) {
    throw new ConfigError(
      "REVOCATION_USER_POOL_IDS",
      `must be user pool ids like eu-west-1_AbCdEf123, got ${JSON.stringify(bad[0])}`,
    );
  }
  if (pools.length === 0 && !common.localMode) {
    throw new ConfigError("REVOCATION_USER_POOL_IDS", "is required but is not set");
  }
  return {
    ...common,
    tableName: requireTableName(env, "REVOCATION_TABLE_NAME"),
    ttlSeconds: readInteger(env, "REVOCATION_TTL_SECONDS", DEFAULT_REVOCATION_TTL_SECONDS, {
      min: 300,
      max: 86_400,
    }),
    userPoolIds: pools.length === 0 ? undefined : pools,
    dynamoEndpoint: awsEndpoint(env, "DYNAMODB"),
    cognitoEndpoint: awsEndpoint(env, "COGNITO_IDENTITY_PROVIDER"),
    awsRegion: optionalString(env, "AWS_REGION"),
  };
}
