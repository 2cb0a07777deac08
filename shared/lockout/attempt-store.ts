/**
 * The cross-sign-in failure counters' contract, free of any AWS SDK import: the key, the
 * count, the store interface and its two error classes. Implementations: DynamoDB
 * (dynamodb-attempt-store.ts) and the local file (local-attempt-store.ts), chosen in
 * adapters.ts. Handlers depend on this module only, so a bundle that never counts (define
 * auth challenge shares the custom-auth handlers module) loads no DynamoDB client.
 *
 * Errors are split for the fail-open / fail-closed decision (decide.ts, `failsOpen`):
 * {@link AttemptStoreUnavailableError} for what passes, {@link AttemptStoreMisconfiguredError}
 * for what refuses every call.
 */
import type { Deadline } from "../aws/clients";
import { DependencyError } from "../errors";

/**
 * The counter's key for a user: the pool id and Cognito's `userName` (immutable; for an
 * unknown user, what was typed). Pool ids contain no `#`, so the pair is unambiguous.
 */
export function attemptsKey(userPoolId: string, userName: string): string {
  return `${userPoolId}#${userName}`;
}

/** Epoch milliseconds to the epoch seconds the counters hold. */
export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** A user's failures in the current window. */
export interface FailureCount {
  /** Wrong answers counted in the window. */
  readonly failures: number;
  /** When the window ends, epoch seconds. */
  readonly windowEndsAt: number;
}

/** What {@link AttemptStore.clearUnlessLocked} did. */
export type ClearOutcome = "cleared" | "locked";

/** The per-user failure counters. `deadline` (the invocation's) bounds a call that goes to AWS. */
export interface AttemptStore {
  /** The user's live count (undefined: none, or its window has passed). One read. */
  read(key: string, nowMs: number, deadline?: Deadline): Promise<FailureCount | undefined>;
  /**
   * Count one wrong answer, atomically (concurrent calls all count), starting a window of
   * `windowSeconds` when there is no live one. Returns the count after this failure.
   */
  recordFailure(
    key: string,
    nowMs: number,
    windowSeconds: number,
    deadline?: Deadline,
  ): Promise<FailureCount>;
  /**
   * After a correct answer: delete the counter unless it holds `threshold` or more failures in
   * a live window, atomically ("locked": the answer must be refused, the counter is kept).
   */
  clearUnlessLocked(
    key: string,
    nowMs: number,
    threshold: number,
    deadline?: Deadline,
  ): Promise<ClearOutcome>;
}

/** The store could not answer for a reason that passes (throttling, timeout, 5xx, the deadline). */
export class AttemptStoreUnavailableError extends DependencyError {}

/** The store refuses every call (no such table, access denied, invalid request): a deployment error. */
export class AttemptStoreMisconfiguredError extends DependencyError {}
