/**
 * Legacy hash formats: bcrypt (every version prefix), scrypt and PBKDF2-SHA256 (passlib and
 * Django), right and wrong passwords, and refusal of malformed or over-costly hashes.
 */
import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import bcrypt from "bcryptjs";
import fc from "fast-check";
import {
  DEFAULT_DUMMY_HASH,
  type LegacyHash,
  parseLegacyHash,
  verifyPassword,
} from "../../shared/user-migration/hashes";

const PASSWORD = "legacy-Passw0rd!";

function ab64(buffer: Buffer): string {
  return buffer.toString("base64").replace(/=+$/, "").replace(/\+/g, ".");
}

function scryptHash(password: string, logN = 10): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 2 ** logN, r: 8, p: 1 });
  return `$scrypt$ln=${logN},r=8,p=1$${ab64(salt)}$${ab64(hash)}`;
}

function passlibPbkdf2(password: string, iterations = 29000): string {
  const salt = randomBytes(16);
  return `$pbkdf2-sha256$${iterations}$${ab64(salt)}$${ab64(pbkdf2Sync(password, salt, iterations, 32, "sha256"))}`;
}

function djangoPbkdf2(password: string, iterations = 10000): string {
  const salt = "seasalt1234";
  const hash = pbkdf2Sync(password, salt, iterations, 32, "sha256").toString("base64");
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`;
}

function parsed(stored: string): LegacyHash {
  const hash = parseLegacyHash(stored);
  if (hash === undefined) throw new Error(`not parsed: ${stored.slice(0, 12)}`);
  return hash;
}

describe("legacy password hashes", () => {
  const bcryptB = bcrypt.hashSync(PASSWORD, 4);
  const cases: [string, string][] = [
    ["bcrypt $2b$", bcryptB],
    ["bcrypt $2a$", bcryptB.replace(/^\$2b\$/, "$2a$")],
    ["bcrypt $2y$ (PHP)", bcryptB.replace(/^\$2b\$/, "$2y$")],
    ["scrypt (passlib)", scryptHash(PASSWORD)],
    ["PBKDF2-SHA256 (passlib)", passlibPbkdf2(PASSWORD)],
    ["PBKDF2-SHA256 (Django)", djangoPbkdf2(PASSWORD)],
  ];

  test.each(cases)(
    "%s: the right password matches, a wrong one does not",
    async (_name, stored) => {
      // Prepare
      const hash = parsed(stored);

      // Act
      const right = await verifyPassword(PASSWORD, hash);
      const wrong = await verifyPassword(`${PASSWORD}x`, hash);
      const empty = await verifyPassword("", hash);

      // Assess
      expect(right).toBe(true);
      expect(wrong).toBe(false);
      expect(empty).toBe(false);
    },
  );

  test("the default dummy hash parses (bcrypt cost 10) and matches no likely password", async () => {
    // Act
    const dummy = parsed(DEFAULT_DUMMY_HASH);

    // Assess
    expect(dummy).toMatchObject({ scheme: "bcrypt", cost: 10 });
    expect(await verifyPassword(PASSWORD, dummy)).toBe(false);
  });

  test.each([
    ["unknown scheme", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"],
    ["plain text", "hunter2"],
    ["bcrypt cost over 14", `$2b$15$${"a".repeat(53)}`],
    ["bcrypt cost under 4", `$2b$03$${"a".repeat(53)}`],
    ["truncated bcrypt", bcrypt.hashSync(PASSWORD, 4).slice(0, 40)],
    ["scrypt N over 2^17", scryptHash(PASSWORD, 10).replace("ln=10", "ln=20")],
    ["PBKDF2 under 1000 iterations", passlibPbkdf2(PASSWORD, 999)],
    [
      "PBKDF2 over 2,000,000 iterations",
      djangoPbkdf2(PASSWORD, 10000).replace("$10000$", "$3000000$"),
    ],
    ["not a string", 42],
    ["null", null],
    ["too long", `$2b$10$${"a".repeat(600)}`],
  ])("%s is not a usable hash", (_name, stored) => {
    // Act / Assess
    expect(parseLegacyHash(stored)).toBeUndefined();
  });

  test("parsing never throws, whatever the stored value", () => {
    fc.assert(
      // Any stored value as a whole, and any text inside each hash format's fields.
      fc.property(fc.oneof(fc.string(), fc.anything()), fc.string(), (value, text) => {
        parseLegacyHash(value);
        parseLegacyHash(`$2b$10$${text}`);
        parseLegacyHash(`$scrypt$ln=10,r=8,p=1$${text}$${text}`);
      }),
    );
  });
});
