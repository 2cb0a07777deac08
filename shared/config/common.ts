/**
 * Settings every function shares. Parsed once per container.
 */
import { type Env, optionalString, readBoolean, readInteger } from "./env";

/** Settings every function reads. */
export interface CommonConfig {
  /** LOCAL_MODE: use local stand-ins for AWS side effects (emails, Cognito admin calls). Defaults to true when `IS_LOCAL` or `IS_OFFLINE` is set (serverless invoke local / serverless-offline). */
  readonly localMode: boolean;
  /** LOCAL_OUTBOX_DIR: where the local email sender writes messages; unset prints them to stderr. */
  readonly localOutboxDir: string | undefined;
  /** AWS_CALL_TIMEOUT_MS: per-attempt timeout for AWS SDK calls (well inside Cognito's 5 s trigger limit). */
  readonly awsCallTimeoutMs: number;
  /** AWS_MAX_ATTEMPTS: total attempts (first try + retries) for AWS SDK calls. */
  readonly awsMaxAttempts: number;
}

/** Parse the shared settings from `env`. Throws a ConfigError naming the variable on bad input. */
export function loadCommonConfig(env: Env = process.env): CommonConfig {
  const localDefault = readBoolean(env, "IS_LOCAL", false) || readBoolean(env, "IS_OFFLINE", false);
  return {
    localMode: readBoolean(env, "LOCAL_MODE", localDefault),
    localOutboxDir: optionalString(env, "LOCAL_OUTBOX_DIR"),
    awsCallTimeoutMs: readInteger(env, "AWS_CALL_TIMEOUT_MS", 1500, { min: 100, max: 4500 }),
    awsMaxAttempts: readInteger(env, "AWS_MAX_ATTEMPTS", 2, { min: 1, max: 5 }),
  };
}
