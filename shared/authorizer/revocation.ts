/**
 * Opt-in revocation: a token whose `iat` is at or before the `revokedAt` recorded for its
 * `sub` is refused. The store is read through a bounded in-memory cache (entries at most
 * `maxAgeMs` old, at most `maxEntries`); a store failure is decided by the configured
 * fail-open/fail-closed choice. SDK-free: the DynamoDB adapter is loaded only when on.
 */

import type { RevocationStore } from "../revocation/store";

export type { RevocationStore } from "../revocation/store";

/** What to do when the store cannot be read: refuse (`closed`) or allow (`open`). */
export type RevocationFailureMode = "closed" | "open";

/** Thrown for a revoked token; the handler answers 401. */
export class TokenRevokedError extends Error {
  override name = "TokenRevokedError";
}

/** Thrown when the store failed and the mode is `closed`; the handler answers 401. */
export class RevocationStoreError extends Error {
  override name = "RevocationStoreError";
}

/** Pure decision: a token issued at or before the revocation is revoked. */
export function isRevoked(iat: number, revokedAt: number | undefined): boolean {
  return revokedAt !== undefined && iat <= revokedAt;
}

/** Options of {@link createRevocationCheck}. */
export interface RevocationCheckOptions {
  readonly store: RevocationStore;
  readonly failureMode: RevocationFailureMode;
  /** Entries older than this are read again (at most 30 s). */
  readonly maxAgeMs: number;
  /** Most subs kept (oldest dropped first). */
  readonly maxEntries: number;
  /** Called when the store fails (logging); the decision follows `failureMode`. */
  readonly onStoreError?: (error: unknown) => void;
  /** Seam for tests: ms since the epoch. */
  readonly now?: () => number;
}

/** Checks one verified token; rejects with {@link TokenRevokedError} or {@link RevocationStoreError}. */
export type RevocationCheck = (sub: string, iat: number) => Promise<void>;

/** Build the check (at cold start). */
export function createRevocationCheck(options: RevocationCheckOptions): RevocationCheck {
  const { store, failureMode, maxAgeMs, maxEntries, onStoreError } = options;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { readonly revokedAt: number | undefined; readonly at: number }>();
  const inFlight = new Map<string, Promise<number | undefined>>();

  const read = (sub: string): Promise<number | undefined> => {
    const started = now();
    let pending = inFlight.get(sub);
    if (pending === undefined) {
      pending = store.revokedAt(sub).finally(() => inFlight.delete(sub));
      inFlight.set(sub, pending);
    }
    return pending.then((revokedAt) => {
      // Stamped with the time the read started: an entry never claims to be fresher than it is.
      cache.delete(sub);
      while (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      if (maxEntries > 0) cache.set(sub, { revokedAt, at: started });
      return revokedAt;
    });
  };

  return async (sub, iat) => {
    const entry = cache.get(sub);
    let revokedAt: number | undefined;
    if (entry !== undefined && now() - entry.at < maxAgeMs) revokedAt = entry.revokedAt;
    else {
      try {
        revokedAt = await read(sub);
      } catch (error) {
        onStoreError?.(error);
        if (failureMode === "closed") {
          throw new RevocationStoreError("revocation store unavailable", { cause: error });
        }
        return;
      }
    }
    if (isRevoked(iat, revokedAt)) throw new TokenRevokedError("token revoked");
  };
}
