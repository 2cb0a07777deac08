/** Codes: generation, hashed state, and the answer check. */
import {
  checkAnswer,
  decodeMetadata,
  encodeMetadata,
  fromPrivateParameters,
  generateCode,
  hashCode,
  toPrivateParameters,
} from "../../shared/custom-auth/code";
import { FIXED_EMAIL_HINT, maskEmail, publicEmailHint } from "../../shared/custom-auth/mask";

const NOW = 1_800_000_000_000;

describe("generateCode", () => {
  it("draws each digit from the random source, to the configured length", () => {
    const draws: number[] = [];
    const digits = [1, 2, 3, 4, 5, 6, 7, 8];

    const code = generateCode(8, (max) => {
      draws.push(max);
      return digits[draws.length - 1] ?? 0;
    });

    expect(code).toBe("12345678");
    expect(draws).toEqual([10, 10, 10, 10, 10, 10, 10, 10]);
  });

  it("keeps leading zeros, and the answer must keep them too", () => {
    const code = generateCode(6, () => 0);
    const state = hashCode(code, NOW + 1);

    expect(code).toBe("000000");
    expect(checkAnswer(state, "000000", NOW)).toBe("correct");
    expect(checkAnswer(state, "0", NOW)).toBe("malformed-answer");
    expect(checkAnswer(hashCode("007123", NOW + 1), "7123", NOW)).toBe("malformed-answer");
  });

  it("uses crypto.randomInt by default: digits only, right length, not constant", () => {
    const codes = new Set(Array.from({ length: 50 }, () => generateCode(6)));

    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(codes.size).toBeGreaterThan(40);
  });
});

describe("hashed state", () => {
  it("never contains the code, and salts each code differently", () => {
    const a = hashCode("424242", NOW);
    const b = hashCode("424242", NOW);

    expect(JSON.stringify(a)).not.toContain("424242");
    expect(encodeMetadata(a)).not.toContain("424242");
    expect(a.hash).not.toBe(b.hash);
  });

  it("round-trips through challengeMetadata and privateChallengeParameters", () => {
    const state = hashCode("424242", NOW);

    expect(decodeMetadata(encodeMetadata(state))).toEqual(state);
    expect(fromPrivateParameters(toPrivateParameters(state))).toEqual(state);
  });

  it("rejects foreign or tampered metadata and parameters", () => {
    const state = hashCode("424242", NOW);
    const params = toPrivateParameters(state);

    expect(decodeMetadata(undefined)).toBeUndefined();
    expect(decodeMetadata("CODE-424242")).toBeUndefined();
    expect(decodeMetadata(encodeMetadata(state).replace("OTP1", "OTP2"))).toBeUndefined();
    expect(decodeMetadata(encodeMetadata({ ...state, hash: "c2hvcnQ" }))).toBeUndefined();
    expect(fromPrivateParameters({})).toBeUndefined();
    expect(fromPrivateParameters({ ...params, expiresAt: "soon" })).toBeUndefined();
    expect(fromPrivateParameters({ ...params, codeLength: "99" })).toBeUndefined();
    // Shorter than any code create issues: a state that would make guessing easy.
    expect(fromPrivateParameters({ ...params, codeLength: "1" })).toBeUndefined();
    expect(fromPrivateParameters({ ...params, codeLength: "5" })).toBeUndefined();
    expect(decodeMetadata(encodeMetadata({ ...state, length: 1 }))).toBeUndefined();
  });
});

describe("checkAnswer", () => {
  const state = hashCode("424242", NOW + 180_000);

  it.each<[string, unknown, string]>([
    ["the code", "424242", "correct"],
    ["the code with whitespace", " \t424242\n", "correct"],
    ["another code", "424243", "incorrect"],
    ["too short", "42424", "malformed-answer"],
    ["too long", "4242420", "malformed-answer"],
    ["non-digits", "42424a", "malformed-answer"],
    ["unicode digits", "٤٢٤٢٤٢", "malformed-answer"],
    ["oversized", "4".repeat(10_000), "malformed-answer"],
    ["empty", "", "malformed-answer"],
    ["null", null, "malformed-answer"],
    ["a number", 424242, "malformed-answer"],
  ])("%s -> %s", (_name, answer, verdict) => {
    expect(checkAnswer(state, answer, NOW)).toBe(verdict);
  });

  it("enforces expiry, even for the right code", () => {
    expect(checkAnswer(state, "424242", NOW + 179_999)).toBe("correct");
    expect(checkAnswer(state, "424242", NOW + 180_000)).toBe("expired");
  });

  it("refuses an answer over 64 characters before trimming, even the right code padded", () => {
    const padded = (total: number): string => `${" ".repeat(total - 6 - 1)}424242\n`;

    expect(padded(64)).toHaveLength(64);
    expect(checkAnswer(state, padded(64), NOW)).toBe("correct");
    expect(checkAnswer(state, padded(65), NOW)).toBe("malformed-answer");
    expect(checkAnswer(state, `424242${"\t".repeat(200)}`, NOW)).toBe("malformed-answer");
  });

  it("refuses when there is no state", () => {
    expect(checkAnswer(undefined, "424242", NOW)).toBe("missing-state");
  });

  it("compares with crypto.timingSafeEqual over equal-length digests", () => {
    const crypto = jest.requireActual<typeof import("node:crypto")>("node:crypto");
    const spy = jest.spyOn(crypto, "timingSafeEqual");

    checkAnswer(state, "000000", NOW);

    expect(spy).toHaveBeenCalledTimes(1);
    const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
    expect(a.length).toBe(32);
    expect(b.length).toBe(32);
  });
});

describe("masking", () => {
  it.each([
    ["jane.doe@example.com", "j***@e***.com"],
    ["J@Mail.Example.co.uk", "j***@m***.example.co.uk"],
    ["x@localhost", "x***@l***"],
  ])("%s -> %s", (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it("gives undefined for a non-email", () => {
    expect(maskEmail("jane")).toBeUndefined();
    expect(maskEmail("@example.com")).toBeUndefined();
  });
});

describe("publicEmailHint", () => {
  const UUID = "7f1c2a9e-5b7d-4e4a-9c1e-0a2b3c4d5e6f";

  it("masks the typed email, for real and unknown users alike", () => {
    const unknown = publicEmailHint(
      { userName: "Jane.Doe@Example.com", userNotFound: true, email: undefined },
      "masked",
    );
    const realByEmailUsername = publicEmailHint(
      { userName: "jane.doe@example.com", userNotFound: false, email: "other@elsewhere.org" },
      "masked",
    );
    const realByGeneratedUsername = publicEmailHint(
      { userName: UUID, userNotFound: false, email: "jane.doe@example.com" },
      "masked",
    );

    expect([unknown, realByEmailUsername, realByGeneratedUsername]).toEqual([
      "j***@e***.com",
      "j***@e***.com",
      "j***@e***.com",
    ]);
  });

  it("gives the fixed text for any non-email username, real or unknown", () => {
    expect(
      publicEmailHint({ userName: "alice", userNotFound: false, email: "a@corp.io" }, "masked"),
    ).toBe(FIXED_EMAIL_HINT);
    expect(
      publicEmailHint({ userName: "alice", userNotFound: true, email: undefined }, "masked"),
    ).toBe(FIXED_EMAIL_HINT);
    // A typed UUID of no user: nothing to mask, the fixed text.
    expect(
      publicEmailHint({ userName: UUID, userNotFound: true, email: undefined }, "masked"),
    ).toBe(FIXED_EMAIL_HINT);
  });

  it("gives the fixed text to everyone in fixed mode", () => {
    expect(
      publicEmailHint(
        { userName: "jane.doe@example.com", userNotFound: false, email: "jane.doe@example.com" },
        "fixed",
      ),
    ).toBe(FIXED_EMAIL_HINT);
    expect(
      publicEmailHint(
        { userName: "nobody@example.net", userNotFound: true, email: undefined },
        "fixed",
      ),
    ).toBe(FIXED_EMAIL_HINT);
  });
});
