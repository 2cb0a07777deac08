/**
 * Powertools logger factory. One logger per function, created at cold start.
 *
 * Every line is JSON, passes through {@link redactingReplacer} (so tokens,
 * codes and passwords never reach CloudWatch), and carries the trigger's
 * context keys once {@link appendEventKeys} has run for the invocation.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { redactingReplacer } from "./redact";

export type { Logger } from "@aws-lambda-powertools/logger";

/** Create the logger for one function. `serviceName` defaults to POWERTOOLS_SERVICE_NAME. */
export function createLogger(functionName: string): Logger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "cognito-triggers",
    persistentKeys: { function: functionName },
    jsonReplacerFn: redactingReplacer,
  });
}

/** The longest event log key value kept whole (real ones are far shorter). */
export const LOG_KEY_LIMIT = 128;

/** The non-secret keys of an event that every log line of an invocation carries. */
export interface EventLogKeys {
  readonly triggerSource?: string;
  readonly userPoolId?: string;
  readonly clientId?: string;
  readonly [key: string]: string | undefined;
}

/**
 * Pull the log keys out of an untrusted event: Cognito triggers'
 * `triggerSource`, `userPoolId` and `callerContext.clientId`, or API Gateway's type.
 */
export function eventLogKeys(event: unknown): EventLogKeys {
  if (typeof event !== "object" || event === null) return {};
  const e = event as Record<string, unknown>;
  // Untrusted too: cut, so a huge field cannot repeat itself on every line of the invocation.
  const str = (v: unknown): string | undefined =>
    typeof v !== "string"
      ? undefined
      : v.length <= LOG_KEY_LIMIT
        ? v
        : `${v.slice(0, LOG_KEY_LIMIT)}...`;
  const caller = e.callerContext as Record<string, unknown> | null | undefined;
  const requestContext = e.requestContext as Record<string, unknown> | null | undefined;
  return {
    triggerSource: str(e.triggerSource) ?? str(e.type),
    userPoolId: str(e.userPoolId),
    clientId: str(caller?.clientId),
    requestId: str(requestContext?.requestId),
  };
}

/** Reset the per-invocation keys and append those of `event`. */
export function appendEventKeys(logger: Logger, event: unknown): void {
  logger.resetKeys();
  const keys = Object.fromEntries(
    Object.entries(eventLogKeys(event)).filter(([, value]) => value !== undefined),
  );
  logger.appendKeys(keys);
}
