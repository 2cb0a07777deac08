/**
 * How the triggers that share the lockout (custom auth, user migration) run a counter call:
 * fail open on what passes, closed on a broken deployment ({@link failsOpen}), with one log
 * line an alarm can match (`{ $.lockout = "fail-open" }`).
 */
import type { Logger } from "../logger";
import { failsOpen } from "./decide";

/** The counter operations, as the fail-open log line names them. */
export type LockoutOperation = "read" | "record-failure" | "clear";

/**
 * Run one store call. A failure that passes is logged at ERROR (`"lockout":"fail-open"`) and
 * gives undefined: the step goes on as if the user had no failures. Anything else is rethrown,
 * failing the step.
 */
export async function failOpen<T>(
  logger: Logger,
  operation: LockoutOperation,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (!failsOpen(error)) throw error;
    logger.error("Cross-sign-in lockout store unavailable: going on without it (fail open)", {
      lockout: "fail-open",
      operation,
      error: error instanceof Error ? error : new Error(String(error)),
    });
    return undefined;
  }
}
