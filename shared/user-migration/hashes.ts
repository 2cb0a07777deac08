/**
 * Legacy password hashes: parse the stored string once, verify a password against it in
 * constant time. bcrypt (`$2a$`/`$2b$`/`$2y$`), scrypt and PBKDF2-SHA256 (passlib's PHC-like
 * strings and Django's `pbkdf2_sha256$`). Formats and cost bounds: docs/user-migration.md.
 */
import { pbkdf2, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import bcrypt from "bcryptjs";

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

/** A parsed legacy hash. Parameters are bounded so a stored hash cannot make a check run for minutes. */
export type LegacyHash =
  | { readonly scheme: "bcrypt"; readonly cost: number; readonly value: string }
  | {
      readonly scheme: "scrypt";
      readonly N: number;
      readonly r: number;
      readonly p: number;
      readonly salt: Buffer;
      readonly hash: Buffer;
    }
  | {
      readonly scheme: "pbkdf2-sha256";
      readonly iterations: number;
      readonly salt: Buffer;
      readonly hash: Buffer;
    };

/** bcrypt costs accepted (4..14: 14 takes about 1.5 s in pure JS on Lambda's arm64). */
export const BCRYPT_COST = { min: 4, max: 14 } as const;
/** scrypt: log2(N) up to 17, r up to 16, p up to 4 (128 MiB with N=2^17, r=8). */
export const SCRYPT_LIMITS = { maxLogN: 17, maxR: 16, maxP: 4 } as const;
/** PBKDF2-SHA256 iterations accepted (Django 5 uses 870,000-1,000,000). */
export const PBKDF2_ITERATIONS = { min: 1000, max: 2_000_000 } as const;

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
// passlib: $scrypt$ln=16,r=8,p=1$<salt ab64>$<hash ab64>
const PASSLIB_SCRYPT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([./A-Za-z0-9+]+)\$([./A-Za-z0-9+]+)$/;
// passlib: $pbkdf2-sha256$<rounds>$<salt ab64>$<hash ab64>
const PASSLIB_PBKDF2 = /^\$pbkdf2-sha256\$(\d{1,8})\$([./A-Za-z0-9+]*)\$([./A-Za-z0-9+]+)$/;
// Django: pbkdf2_sha256$<iterations>$<salt (text)>$<hash base64>
const DJANGO_PBKDF2 = /^pbkdf2_sha256\$(\d{1,8})\$([^$]+)\$([A-Za-z0-9+/]+={0,2})$/;

/** passlib's "adapted base64": `.` for `+`, no padding. */
function ab64(value: string): Buffer {
  return Buffer.from(value.replace(/\./g, "+"), "base64");
}

function within(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

/**
 * Parse a stored hash. Undefined for anything not recognised or outside the cost bounds: such a
 * user cannot be migrated with a password (they can still reset it, which migrates them).
 */
export function parseLegacyHash(stored: unknown): LegacyHash | undefined {
  if (typeof stored !== "string" || stored.length > 512) return undefined;
  let m = BCRYPT.exec(stored);
  if (m) {
    const cost = Number(m[1]);
    return within(cost, BCRYPT_COST.min, BCRYPT_COST.max)
      ? { scheme: "bcrypt", cost, value: stored }
      : undefined;
  }
  m = PASSLIB_SCRYPT.exec(stored);
  if (m) {
    const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const hash = ab64(m[5] as string);
    if (
      !within(logN, 1, SCRYPT_LIMITS.maxLogN) ||
      !within(r, 1, SCRYPT_LIMITS.maxR) ||
      !within(p, 1, SCRYPT_LIMITS.maxP) ||
      hash.length < 16
    ) {
      return undefined;
    }
    return { scheme: "scrypt", N: 2 ** logN, r, p, salt: ab64(m[4] as string), hash };
  }
  m = PASSLIB_PBKDF2.exec(stored) ?? DJANGO_PBKDF2.exec(stored);
  if (m) {
    const iterations = Number(m[1]);
    const django = stored.startsWith("pbkdf2_sha256$");
    const hash = django ? Buffer.from(m[3] as string, "base64") : ab64(m[3] as string);
    if (!within(iterations, PBKDF2_ITERATIONS.min, PBKDF2_ITERATIONS.max) || hash.length < 16) {
      return undefined;
    }
    // Django salts are text, used as their UTF-8 bytes; passlib's are base64.
    const salt = django ? Buffer.from(m[2] as string, "utf8") : ab64(m[2] as string);
    return { scheme: "pbkdf2-sha256", iterations, salt, hash };
  }
  return undefined;
}

function equal(a: Buffer, b: Buffer): boolean {
  // timingSafeEqual needs equal lengths; the length of a stored hash is no secret.
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * True when `password` matches `hash`. The derived value is compared with `timingSafeEqual`.
 * bcrypt uses the first 72 bytes of the password, as every bcrypt implementation does.
 */
export async function verifyPassword(password: string, hash: LegacyHash): Promise<boolean> {
  switch (hash.scheme) {
    case "bcrypt": {
      // Re-hash with the stored salt and compare the whole strings ourselves, in constant time.
      const computed = await bcrypt.hash(password, hash.value.slice(0, 29));
      return equal(
        Buffer.from(computed.slice(4)),
        // `$2y$`/`$2a$` hashes are computed as `$2b$`: compare after the version prefix.
        Buffer.from(hash.value.slice(4)),
      );
    }
    case "scrypt": {
      const { N, r, p } = hash;
      const derived = await scryptAsync(password, hash.salt, hash.hash.length, {
        N,
        r,
        p,
        maxmem: 256 * N * r + 1024 * 1024,
      });
      return equal(derived, hash.hash);
    }
    case "pbkdf2-sha256": {
      const derived = await pbkdf2Async(
        password,
        hash.salt,
        hash.iterations,
        hash.hash.length,
        "sha256",
      );
      return equal(derived, hash.hash);
    }
  }
}

/**
 * A bcrypt hash (cost 10) of a random value nobody knows: the default hash checked for unknown
 * users, so that "no such user" takes as long as "wrong password" (USER_MIGRATION_DUMMY_HASH).
 */
export const DEFAULT_DUMMY_HASH = "$2b$10$j2c9lniyj/gsKDYnxlD8l./JCqPCX/IyGqsBprzk1dXJ3WxE178sG";
