/**
 * Invite codes: compared as SHA-256 digests with `timingSafeEqual`, against
 * every configured digest (no early exit), so neither the code's length nor
 * the position of a mismatch shows in the response time.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** SHA-256 of `code` (UTF-8), as a 32-byte buffer. */
export function hashInviteCode(code: string): Buffer {
  return createHash("sha256").update(code, "utf8").digest();
}

/** Parse a hex SHA-256 digest; undefined unless it is exactly 64 hex characters. */
export function parseDigest(hex: string): Buffer | undefined {
  const trimmed = hex.trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : undefined;
}

/**
 * True when `candidate` hashes to one of `digests`. Every digest is compared,
 * even after a match, in constant time per comparison.
 */
export function inviteCodeMatches(candidate: string, digests: readonly Buffer[]): boolean {
  const hashed = hashInviteCode(candidate);
  let match = false;
  for (const digest of digests) {
    // Both sides are 32-byte digests, so timingSafeEqual never throws on length.
    if (timingSafeEqual(hashed, digest)) match = true;
  }
  return match;
}
