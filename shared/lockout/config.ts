/**
 * The cross-sign-in lockout's settings, parsed once at cold start by every trigger that reads
 * or writes the counters (custom auth's create and verify, user migration).
 */
import {
  awsEndpoint,
  type Env,
  optionalString,
  optionalTableName,
  readInteger,
} from "../config/env";

/**
 * The cross-sign-in lockout: wrong answers (custom-auth codes, user-migration passwords) are
 * counted per user across sign-ins in a DynamoDB table; from `threshold` failures in a window
 * on, create auth challenge issues no real code (pretend path), verify accepts no answer and
 * user migration refuses, until the window ends.
 * Absent (feature off) when CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset; serverless.yml sets it.
 */
export interface LockoutConfig {
  /** CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: the table of per-user failure counters (key `pk`, TTL attribute `expiresAt`). */
  readonly tableName: string;
  /** CUSTOM_AUTH_LOCKOUT_THRESHOLD: wrong answers, across sign-ins, that lock a user out until the window ends (default 10, 1-100). */
  readonly threshold: number;
  /** CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS: the counting window, from a user's first failure in it (default 900, 60-86400). */
  readonly windowSeconds: number;
  /** AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL): in local mode, the DynamoDB engine to use (dynalite) instead of the local file. */
  readonly dynamoEndpoint: string | undefined;
  /** AWS_REGION: set by Lambda; a local engine gets `eu-west-1` when it is unset. */
  readonly awsRegion: string | undefined;
  /** LOCAL_AUTH_ATTEMPTS_FILE: in local mode without a DynamoDB endpoint, the JSON file that holds the counters. */
  readonly localFile: string;
}

/** Default of {@link LockoutConfig.threshold}: more than three whole failed sign-ins (3 answers each). */
export const DEFAULT_LOCKOUT_THRESHOLD = 10;
/** Default of {@link LockoutConfig.windowSeconds}: 15 minutes. */
export const DEFAULT_LOCKOUT_WINDOW_SECONDS = 900;
/** Where local mode keeps the counters when no DynamoDB endpoint is set. */
export const DEFAULT_LOCAL_ATTEMPTS_FILE = ".local/custom-auth/attempts.json";

/**
 * Parse the lockout settings shared by create, verify and user migration (they must agree:
 * create reads the counter verify writes). Undefined when CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset.
 */
export function loadLockoutConfig(env: Env): LockoutConfig | undefined {
  const tableName = optionalTableName(env, "CUSTOM_AUTH_ATTEMPTS_TABLE_NAME");
  // Parsed even when off, so a bad value is refused whatever the table setting.
  const threshold = readInteger(env, "CUSTOM_AUTH_LOCKOUT_THRESHOLD", DEFAULT_LOCKOUT_THRESHOLD, {
    min: 1,
    max: 100,
  });
  const windowSeconds = readInteger(
    env,
    "CUSTOM_AUTH_LOCKOUT_WINDOW_SECONDS",
    DEFAULT_LOCKOUT_WINDOW_SECONDS,
    { min: 60, max: 86_400 },
  );
  if (tableName === undefined) return undefined;
  return {
    tableName,
    threshold,
    windowSeconds,
    dynamoEndpoint: awsEndpoint(env, "DYNAMODB"),
    awsRegion: optionalString(env, "AWS_REGION"),
    localFile: optionalString(env, "LOCAL_AUTH_ATTEMPTS_FILE", DEFAULT_LOCAL_ATTEMPTS_FILE),
  };
}
