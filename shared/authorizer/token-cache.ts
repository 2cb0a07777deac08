/**
 * A bounded cache of verified tokens, keyed by the whole token string, so a token seen
 * again in the same container skips the signature check. Only successes are stored; every
 * hit re-checks `exp` against the clock (revocation is checked after it by the handler).
 */
import type { JwtPayload } from "aws-jwt-verify/jwt-model";

/** Options of {@link VerifiedTokenCache}. */
export interface VerifiedTokenCacheOptions {
  /** Most tokens kept (oldest evicted first); 0 keeps none. */
  readonly maxEntries: number;
  /** Most token characters kept in total (bounds memory whatever the token sizes). */
  readonly maxChars: number;
  /** Seam for tests: ms since the epoch. */
  readonly now?: () => number;
}

interface Entry {
  /** The whole token: a hit must equal it, not only its signature. */
  readonly token: string;
  readonly payload: JwtPayload;
  /** `exp` in ms: the entry is never returned at or after it. */
  readonly expMs: number;
}

/**
 * The map key: the token's last 43 characters (256 bits of its signature), so a lookup hashes
 * 43 characters instead of the whole token. The entry holds the whole token, which a hit must
 * equal: two tokens sharing a tail only share a slot (the later one is not cached).
 */
function keyOf(token: string): string {
  return token.slice(-43);
}

/** Verified tokens, bounded in entries and characters. */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  private readonly now: () => number;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Number of tokens held. */
  get size(): number {
    return this.entries.size;
  }

  /** The payload of `token` if it was verified and its `exp` has not passed; else undefined. */
  get(token: string): JwtPayload | undefined {
    // Off (no entries kept): nothing to look up.
    if (this.options.maxEntries === 0) return undefined;
    const entry = this.entries.get(keyOf(token));
    if (entry === undefined || entry.token !== token) return undefined;
    if (this.now() < entry.expMs) return entry.payload;
    this.delete(keyOf(token));
    return undefined;
  }

  /** Remember a token that passed every check. A payload without a numeric `exp` is not kept. */
  set(token: string, payload: JwtPayload): void {
    const { maxEntries, maxChars } = this.options;
    if (maxEntries === 0 || token.length > maxChars || typeof payload.exp !== "number") return;
    const key = keyOf(token);
    if (this.entries.has(key)) return;
    // Oldest first (Map keeps insertion order): bounded work per insert.
    while (this.entries.size >= maxEntries || this.chars + token.length > maxChars) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
    this.entries.set(key, { token, payload, expMs: payload.exp * 1000 });
    this.chars += token.length;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined && this.entries.delete(key)) this.chars -= entry.token.length;
  }
}
