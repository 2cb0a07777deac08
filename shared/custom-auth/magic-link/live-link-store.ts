/**
 * The live-links store's contract, free of any AWS SDK import (the handlers module, which the
 * define function bundles too, depends on this only): the key, the outcomes, the interface,
 * the error. The implementations: dynamodb-live-link-store.ts, local-live-link-store.ts;
 * adapters.ts chooses.
 */
import type { Deadline } from "../../aws/clients";
import { DependencyError } from "../../errors";

/** The table's partition key (string): `<userPoolId>#<userName>`. */
export const NONCE_KEY = "pk";
/** The SHA-256 of the live link's nonce (string, base64url). */
export const NONCE_HASH_ATTRIBUTE = "nonceHash";
/** When the live link was issued, epoch seconds (number): the throttle reads it. */
export const ISSUED_AT_ATTRIBUTE = "issuedAt";
/** When the live link expires, epoch seconds (number); the table's TTL attribute. */
export const NONCE_TTL_ATTRIBUTE = "expiresAt";

/** The store's key for a user (the same shape as the lockout's). */
export function nonceKey(userPoolId: string, userName: string): string {
  return `${userPoolId}#${userName}`;
}

/** One link as stored. */
export interface IssuedLink {
  readonly nonceHash: string;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** What {@link LiveLinkStore.issue} did. */
export type IssueOutcome = "issued" | "throttled";
/** What {@link LiveLinkStore.consume} did: `rejected` for a used, replaced, expired or unknown link. */
export type ConsumeOutcome = "consumed" | "rejected";

/** The per-user live link. `deadline` (the invocation's) bounds a call that goes to AWS. */
export interface LiveLinkStore {
  /**
   * Make `link` the user's only live link, unless the current one was issued less than
   * `throttleSeconds` before `link.issuedAt` ("throttled": nothing changes). Atomic.
   */
  issue(
    key: string,
    link: IssuedLink,
    throttleSeconds: number,
    deadline?: Deadline,
  ): Promise<IssueOutcome>;
  /** Delete the live link if its hash is `hash` and it has not expired at `nowMs`. Atomic. */
  consume(key: string, hash: string, nowMs: number, deadline?: Deadline): Promise<ConsumeOutcome>;
}

/** The store could not answer (throttling, timeout, 5xx, no such table, access denied...). */
export class LiveLinkStoreError extends DependencyError {}
