/**
 * The legacy user stores' contract, free of any SDK import: what a store returns and the
 * errors it throws. The implementations are dynamo-store.ts, endpoint-store.ts and the local
 * stand-in local-store.ts; adapters.ts chooses one at cold start.
 */
import type { Deadline } from "../aws/clients";
import { DependencyError } from "../errors";
import type { LegacyHash } from "./hashes";

/** A legacy user as a store returns it, before the attribute mapping. */
export interface LegacyUser {
  /** The legacy record's fields (strings, numbers, booleans; anything else is ignored by the mapping). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** True only when the legacy system says the email address was verified. */
  readonly emailVerified: boolean;
}

/** What {@link LegacyUserStore.authenticate} found. `refused` covers unknown user and wrong password alike. */
export type Authentication =
  | { readonly kind: "authenticated"; readonly user: LegacyUser }
  | { readonly kind: "refused" };

/**
 * A legacy user directory. `userName` is as Cognito sent it (what the user typed).
 * `deadline` is the invocation's: no call outlives it.
 */
export interface LegacyUserStore {
  /** Check `password`. A store must take about as long for an unknown user as for a wrong password. */
  authenticate(userName: string, password: string, deadline: Deadline): Promise<Authentication>;
  /** Find the user without a password (the forgot-password flow). */
  find(userName: string, deadline: Deadline): Promise<LegacyUser | undefined>;
}

/** The legacy store could not answer (timeout, 5xx, throttling, the deadline): the user may retry. */
export class LegacyStoreUnavailableError extends DependencyError {}

/** A store that checks hashes itself needs these (the DynamoDB store). */
export interface HashChecker {
  /** Parse a stored hash; undefined for an unknown format or out-of-bounds cost. */
  parse(stored: unknown): LegacyHash | undefined;
  /** Verify `password` against `hash` (constant-time comparison). */
  verify(password: string, hash: LegacyHash): Promise<boolean>;
  /** The hash checked when there is no usable hash, so every refusal costs one hash check. */
  readonly dummy: LegacyHash;
}
