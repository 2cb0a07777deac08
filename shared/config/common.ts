/**
 * Settings every function shares. Parsed once per container.
 */
import { ConfigError } from "../errors";
import { type Env, optionalString, readBoolean, readInteger } from "./env";

/** Settings every function reads. */
export interface CommonConfig {
  /** LOCAL_MODE: use local stand-ins for AWS side effects (emails, Cognito admin calls). Defaults to true when `IS_LOCAL` or `IS_OFFLINE` is set (serverless invoke local / serverless-offline). */
  readonly localMode: boolean;
  /** LOCAL_OUTBOX_DIR: where the local email sender writes messages; unset prints them to stderr. */
  readonly localOutboxDir: string | undefined;
  /** AWS_CALL_TIMEOUT_MS: per-attempt timeout for AWS SDK calls; each call is also capped at the time left before the invocation deadline. */
  readonly awsCallTimeoutMs: number;
  /** AWS_MAX_ATTEMPTS: total attempts (first try + retries) for AWS SDK calls. */
  readonly awsMaxAttempts: number;
  /** AWS_CALL_BUDGET_MS: one invocation's deadline for all its AWS calls together, counted from the start of the invocation (Cognito gives a trigger 5 s in all). */
  readonly awsCallBudgetMs: number;
}

/** Default of {@link CommonConfig.awsCallTimeoutMs}. */
export const DEFAULT_AWS_CALL_TIMEOUT_MS = 1500;
/** Default of {@link CommonConfig.awsMaxAttempts}. */
export const DEFAULT_AWS_MAX_ATTEMPTS = 2;
/** Default of {@link CommonConfig.awsCallBudgetMs}: leaves 1 s of Cognito's 5 s for the cold start, the decision and the reply. */
export const DEFAULT_AWS_CALL_BUDGET_MS = 4000;

/**
 * Parse the shared settings from `env`. Throws a ConfigError naming the variable on bad input,
 * including when `AWS_MAX_ATTEMPTS` x `AWS_CALL_TIMEOUT_MS` does not fit `AWS_CALL_BUDGET_MS`
 * (a single call could then never use its retries before the deadline).
 */
export function loadCommonConfig(env: Env = process.env): CommonConfig {
  const localDefault = readBoolean(env, "IS_LOCAL", false) || readBoolean(env, "IS_OFFLINE", false);
  const awsCallTimeoutMs = readInteger(env, "AWS_CALL_TIMEOUT_MS", DEFAULT_AWS_CALL_TIMEOUT_MS, {
    min: 100,
    max: 4500,
  });
  const awsMaxAttempts = readInteger(env, "AWS_MAX_ATTEMPTS", DEFAULT_AWS_MAX_ATTEMPTS, {
    min: 1,
    max: 5,
  });
  const awsCallBudgetMs = readInteger(env, "AWS_CALL_BUDGET_MS", DEFAULT_AWS_CALL_BUDGET_MS, {
    min: 100,
    max: 4500,
  });
  if (awsMaxAttempts * awsCallTimeoutMs > awsCallBudgetMs) {
    throw new ConfigError(
      "AWS_MAX_ATTEMPTS",
      `x AWS_CALL_TIMEOUT_MS (${awsMaxAttempts} x ${awsCallTimeoutMs} ms) exceeds AWS_CALL_BUDGET_MS (${awsCallBudgetMs} ms)`,
    );
  }
  const localMode = readBoolean(env, "LOCAL_MODE", localDefault);
  // Real Lambda sets AWS_EXECUTION_ENV (AWS_Lambda_nodejs20.x); serverless-offline and
  // `serverless invoke local` do not, and set IS_OFFLINE / IS_LOCAL. Local mode in a deployed
  // function would print one-time codes to CloudWatch, skip the real side effects and let the
  // authorizer trust a local issuer: refuse it at cold start.
  if (localMode && !localDefault && env.AWS_EXECUTION_ENV?.startsWith("AWS_Lambda_")) {
    throw new ConfigError(
      "LOCAL_MODE",
      "is true in a deployed Lambda function (AWS_EXECUTION_ENV is set): local stand-ins would log one-time codes and skip real AWS calls; unset it",
    );
  }
  return {
    localMode,
    localOutboxDir: optionalString(env, "LOCAL_OUTBOX_DIR"),
    awsCallTimeoutMs,
    awsMaxAttempts,
    awsCallBudgetMs,
  };
}
