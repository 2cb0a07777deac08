/**
 * The cross-sign-in lockout's decisions, as pure functions; the custom-auth and user
 * migration handlers apply them (the counters: attempt-store.ts). See docs/custom-auth.md,
 * "Cross-sign-in lockout".
 */
import { DependencyError } from "../errors";
import { AttemptStoreMisconfiguredError, type FailureCount } from "./attempt-store";

/** True when `count` holds `threshold` or more failures in a window still live at `nowMs`. */
export function isLockedOut(
  count: FailureCount | undefined,
  threshold: number,
  nowMs: number,
): boolean {
  return count !== undefined && count.windowEndsAt * 1000 > nowMs && count.failures >= threshold;
}

/**
 * What a store failure does to the step. Fail open (go on as if the user had no failures,
 * logged at ERROR) for what passes: throttling, timeouts, 5xx, the invocation deadline, so a
 * DynamoDB outage does not lock every user out. Fail closed (the step fails with the generic
 * error) for what never passes (no such table, access denied, an invalid request), so a broken
 * deployment cannot run without the limit unnoticed; so does anything unexpected.
 */
export function failsOpen(error: unknown): boolean {
  return error instanceof DependencyError && !(error instanceof AttemptStoreMisconfiguredError);
}
