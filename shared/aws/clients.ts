/**
 * AWS SDK client configuration shared by the adapters: bounded per-attempt
 * timeouts and attempts, so a slow dependency fails well inside Cognito's
 * 5-second trigger limit instead of timing the trigger out.
 *
 * Clients are created once per container by the function modules and passed
 * to the adapters (`client ?? new XClient(sdkClientConfig(config))`).
 */
import type { CommonConfig } from "../config/common";

/** The subset of SDK v3 client options the suite sets. */
export interface SdkClientConfig {
  readonly maxAttempts: number;
  readonly requestHandler: {
    readonly requestTimeout: number;
    readonly connectionTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
}

/**
 * Client options from the common config: `maxAttempts` attempts of at most
 * `awsCallTimeoutMs` each (connection set up within a third of that).
 * The defaults (2 x 1500 ms plus back-off) stay under 4 s.
 *
 * `throwOnRequestTimeout` matters: without it, @smithy/node-http-handler 4.x only logs a
 * warning when `requestTimeout` passes and the call keeps waiting past Cognito's limit.
 */
export function sdkClientConfig(
  config: Pick<CommonConfig, "awsCallTimeoutMs" | "awsMaxAttempts">,
): SdkClientConfig {
  return {
    maxAttempts: config.awsMaxAttempts,
    requestHandler: {
      requestTimeout: config.awsCallTimeoutMs,
      connectionTimeout: Math.max(100, Math.floor(config.awsCallTimeoutMs / 3)),
      throwOnRequestTimeout: true,
    },
  };
}

/** The `name` of an SDK v3 service exception, or undefined for anything else. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "name" in error) {
    const name = (error as { name: unknown }).name;
    return typeof name === "string" ? name : undefined;
  }
  return undefined;
}
