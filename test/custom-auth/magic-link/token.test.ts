/**
 * The magic-link token: real P-256 signatures (generated keys), the checks of checkToken, and
 * fast-check properties: the parser never throws, and no change to a valid token is accepted.
 */
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { signatureCheck } from "../../../shared/custom-auth/magic-link/link-signer";
import { localLinkSigner } from "../../../shared/custom-auth/magic-link/local-link-signer";
import {
  checkToken,
  encodePayload,
  joinToken,
  type LinkPayload,
  MAX_TOKEN_LENGTH,
  newNonce,
  parseToken,
} from "../../../shared/custom-auth/magic-link/token";

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const NOW_S = NOW / 1000;
const POOL = "eu-west-1_TESTPOOL";
const USER = "11111111-2222-3333-4444-555555555555";
const SUB = USER;
const keys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const signer = localLinkSigner(keys.privateKey, "test");
const check = signatureCheck(keys.publicKey);
const expected = { pool: POOL, user: USER, sub: SUB, nowMs: NOW };

function payload(overrides: Partial<LinkPayload> = {}): LinkPayload {
  return {
    v: 1,
    pool: POOL,
    user: USER,
    sub: SUB,
    iat: NOW_S,
    exp: NOW_S + 900,
    nonce: newNonce(),
    ...overrides,
  };
}

async function tokenFor(p: LinkPayload, with_ = signer): Promise<string> {
  const segment = encodePayload(p);
  return joinToken(segment, await with_.sign(Buffer.from(segment, "ascii")));
}

describe("magic-link token", () => {
  it("a fresh token for this pool and user is valid, and compact", async () => {
    // Prepare
    const token = await tokenFor(payload());

    // Act
    const result = checkToken(token, check, expected);

    // Assess
    expect(result.verdict).toBe("valid");
    expect(result.payload?.user).toBe(USER);
    expect(token.length).toBeLessThan(400);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
  });

  it.each<[string, Partial<LinkPayload>, Partial<typeof expected>, string]>([
    ["another pool's token", { pool: "eu-west-1_OTHER" }, {}, "wrong-pool"],
    ["another user's token", { user: "someone-else" }, {}, "wrong-user"],
    [
      "a token of a deleted user whose name was reused (other sub)",
      { sub: "old-sub" },
      {},
      "wrong-user",
    ],
    ["an event without a sub", {}, { sub: undefined as unknown as string }, "wrong-user"],
    ["an expired token", { iat: NOW_S - 900, exp: NOW_S }, {}, "expired"],
    ["a token issued in the future", { iat: NOW_S + 600, exp: NOW_S + 1200 }, {}, "not-yet-valid"],
  ])("refuses %s", async (_name, overrides, expectation, verdict) => {
    const token = await tokenFor(payload(overrides));

    const result = checkToken(token, check, { ...expected, ...expectation });

    expect(result.verdict).toBe(verdict);
  });

  it("refuses a token signed with another key", async () => {
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const token = await tokenFor(payload(), localLinkSigner(other.privateKey, "other"));

    expect(checkToken(token, check, expected).verdict).toBe("bad-signature");
  });

  it("refuses the high-S twin of a valid signature (one spelling per token)", async () => {
    // Prepare: (r, n - s) verifies mathematically; the parser must still refuse it.
    const token = await tokenFor(payload());
    const [segment = "", sig = ""] = token.split(".");
    const bytes = Buffer.from(sig, "base64url");
    const n = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const s = BigInt(`0x${bytes.subarray(32).toString("hex")}`);
    const high = Buffer.from((n - s).toString(16).padStart(64, "0"), "hex");
    const twin = joinToken(segment, Buffer.concat([bytes.subarray(0, 32), high]));

    // Act
    const result = checkToken(twin, check, expected);

    // Assess
    expect(result.verdict).toBe("bad-signature");
  });

  it.each([
    ["not a string", 42],
    ["null", null],
    ["empty", ""],
    ["one segment", "abc"],
    ["three segments", "a.b.c"],
    ["padding", "eyJ2IjoxfQ==.AAAA"],
    ["too long", `${"a".repeat(MAX_TOKEN_LENGTH)}.b`],
  ])("parses %s as no token", (_name, value) => {
    expect(parseToken(value)).toBeUndefined();
    expect(checkToken(value, check, expected).verdict).toBe("malformed");
  });

  it("refuses a payload with extra keys, another key order or another version, even if signed", async () => {
    const base = payload();
    const variants = [
      JSON.stringify({ ...base, admin: true }),
      JSON.stringify({
        nonce: base.nonce,
        v: 1,
        pool: base.pool,
        user: base.user,
        sub: base.sub,
        iat: base.iat,
        exp: base.exp,
      }),
      JSON.stringify({ ...base, v: 2 }),
      JSON.stringify({ ...base, iat: base.exp }),
      ` ${JSON.stringify(base)}`,
    ];
    for (const json of variants) {
      const segment = Buffer.from(json, "utf8").toString("base64url");
      const token = joinToken(segment, await signer.sign(Buffer.from(segment, "ascii")));
      expect(checkToken(token, check, expected).verdict).toBe("malformed");
    }
  });

  describe("properties", () => {
    let valid: string;
    beforeAll(async () => {
      valid = await tokenFor(payload());
    });

    it("parseToken and checkToken never throw, whatever the input", () => {
      fc.assert(
        fc.property(fc.oneof(fc.anything(), fc.string(), fc.base64String()), (value) => {
          expect(() => parseToken(value)).not.toThrow();
          expect(checkToken(value, check, expected).verdict).not.toBe("valid");
        }),
        { numRuns: 500 },
      );
    });

    it("every one-character change, insertion or deletion of a valid token is refused", () => {
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
      fc.assert(
        fc.property(
          fc.nat(),
          fc.constantFrom(...alphabet.split("")),
          fc.constantFrom("replace", "insert", "delete"),
          (at, char, kind) => {
            const i = at % valid.length;
            const mutated =
              kind === "replace"
                ? valid.slice(0, i) + char + valid.slice(i + 1)
                : kind === "insert"
                  ? valid.slice(0, i) + char + valid.slice(i)
                  : valid.slice(0, i) + valid.slice(i + 1);
            fc.pre(mutated !== valid);
            expect(checkToken(mutated, check, expected).verdict).not.toBe("valid");
          },
        ),
        { numRuns: 2000 },
      );
    });

    it("every truncation and extension of a valid token is refused", () => {
      fc.assert(
        fc.property(fc.nat(), fc.string({ minLength: 1, maxLength: 8 }), (at, tail) => {
          const cut = valid.slice(0, at % valid.length);
          expect(checkToken(cut, check, expected).verdict).not.toBe("valid");
          expect(checkToken(valid + tail, check, expected).verdict).not.toBe("valid");
        }),
        { numRuns: 500 },
      );
    });

    it("flipping any bit of the decoded payload or signature is refused", () => {
      const [segment = "", sig = ""] = valid.split(".");
      const body = Buffer.from(segment, "base64url");
      const signature = Buffer.from(sig, "base64url");
      fc.assert(
        fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), (inBody, at, bit) => {
          const bytes = Buffer.from(inBody ? body : signature);
          const index = at % bytes.length;
          bytes[index] = (bytes[index] ?? 0) ^ (1 << bit);
          const mutated = inBody
            ? `${bytes.toString("base64url")}.${sig}`
            : `${segment}.${bytes.toString("base64url")}`;
          expect(checkToken(mutated, check, expected).verdict).not.toBe("valid");
        }),
        { numRuns: 1000 },
      );
    });
  });
});
