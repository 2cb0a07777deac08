/**
 * One-time codes: generation, the hashed state that travels with a challenge,
 * and the constant-time answer check.
 *
 * The plain code exists only in memory in the create step, long enough to put
 * it in the email. Cognito keeps two copies of the hashed state:
 * `privateChallengeParameters` (read by verify) and `challengeMetadata` (read
 * back from `request.session` by the next create step, so a retry after a wrong
 * answer reuses the same code instead of sending a new one, as Cognito documents).
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { MAX_CODE_LENGTH, MIN_CODE_LENGTH } from "./config";

/** The hashed state of one code. Never contains the code itself. */
export interface CodeState {
  /** Digits in the code. */
  readonly length: number;
  /** When the code stops being accepted, in epoch milliseconds. */
  readonly expiresAt: number;
  /** Random per-code salt (base64url), the HMAC key. */
  readonly salt: string;
  /** HMAC-SHA-256(salt, code) (base64url). */
  readonly hash: string;
}

/** Source of randomness for codes (injected in tests; `crypto.randomInt` otherwise). */
export type RandomInt = (max: number) => number;

/** A code of `length` decimal digits, each from `crypto.randomInt` (uniform, no modulo bias). */
export function generateCode(length: number, random: RandomInt = randomInt): string {
  let code = "";
  for (let i = 0; i < length; i++) code += String(random(10));
  return code;
}

function digest(salt: string, code: string): Buffer {
  return createHmac("sha256", Buffer.from(salt, "base64url")).update(code, "utf8").digest();
}

/** Hash a fresh code into the state Cognito carries for us. */
export function hashCode(
  code: string,
  expiresAt: number,
  salt: string = randomBytes(16).toString("base64url"),
): CodeState {
  return { length: code.length, expiresAt, salt, hash: digest(salt, code).toString("base64url") };
}

/**
 * A state of the same shape as {@link hashCode}'s that no answer matches: a random 32-byte
 * "hash" of no code (the lockout's pretend path: every answer of that sign-in is wrong).
 */
export function unmatchableState(length: number, expiresAt: number): CodeState {
  return {
    length,
    expiresAt,
    salt: randomBytes(16).toString("base64url"),
    hash: randomBytes(32).toString("base64url"),
  };
}

const METADATA_PREFIX = "OTP1";
const B64URL = /^[A-Za-z0-9_-]+$/;

/** Encode a state as `challengeMetadata` (`OTP1.<expiresAt>.<length>.<salt>.<hash>`). */
export function encodeMetadata(state: CodeState): string {
  return [METADATA_PREFIX, state.expiresAt, state.length, state.salt, state.hash].join(".");
}

function validState(
  length: number,
  expiresAt: number,
  salt: unknown,
  hash: unknown,
): CodeState | undefined {
  // No shorter code than create may issue: such a state would only make guessing easier.
  if (!Number.isSafeInteger(length) || length < MIN_CODE_LENGTH || length > MAX_CODE_LENGTH) {
    return undefined;
  }
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= 0) return undefined;
  if (typeof salt !== "string" || !B64URL.test(salt)) return undefined;
  if (typeof hash !== "string" || !B64URL.test(hash)) return undefined;
  if (Buffer.from(hash, "base64url").length !== 32) return undefined;
  return { length, expiresAt, salt, hash };
}

/** Decode `challengeMetadata`; anything that is not ours gives undefined. */
export function decodeMetadata(metadata: unknown): CodeState | undefined {
  if (typeof metadata !== "string") return undefined;
  const parts = metadata.split(".");
  if (parts.length !== 5 || parts[0] !== METADATA_PREFIX) return undefined;
  return validState(Number(parts[2]), Number(parts[1]), parts[3], parts[4]);
}

/** The state as `privateChallengeParameters` (string values, as Cognito requires). */
export function toPrivateParameters(state: CodeState): Record<string, string> {
  return {
    codeHash: state.hash,
    salt: state.salt,
    expiresAt: String(state.expiresAt),
    codeLength: String(state.length),
  };
}

/** Read the state back from `privateChallengeParameters`; malformed gives undefined. */
export function fromPrivateParameters(params: Record<string, string>): CodeState | undefined {
  const { codeHash, salt, expiresAt, codeLength } = params;
  if (expiresAt === undefined || codeLength === undefined) return undefined;
  if (!/^\d+$/.test(expiresAt) || !/^\d+$/.test(codeLength)) return undefined;
  return validState(Number(codeLength), Number(expiresAt), salt, codeHash);
}

/** Why an answer was accepted or not (for the log; never contains the answer). */
export type AnswerVerdict =
  | "correct"
  | "incorrect"
  | "expired"
  | "malformed-answer"
  | "missing-state";

// Longest raw answer looked at: anything longer is refused before trimming or hashing.
const MAX_RAW_ANSWER = 64;

/**
 * Check `answer` against `state` at time `now`: trimmed, digits only, exactly
 * the code's length, not expired, and compared with `timingSafeEqual` over two
 * 32-byte HMAC digests (so neither content nor length leaks through timing).
 */
export function checkAnswer(
  state: CodeState | undefined,
  answer: unknown,
  now: number,
): AnswerVerdict {
  if (state === undefined) return "missing-state";
  if (typeof answer !== "string" || answer.length > MAX_RAW_ANSWER) return "malformed-answer";
  const trimmed = answer.trim();
  if (trimmed.length !== state.length || !/^\d+$/.test(trimmed)) return "malformed-answer";
  const expected = Buffer.from(state.hash, "base64url");
  const actual = digest(state.salt, trimmed);
  const equal = expected.length === actual.length && timingSafeEqual(expected, actual);
  // Expiry is checked after the compare so an expired code costs the same as a live one.
  if (now >= state.expiresAt) return "expired";
  return equal ? "correct" : "incorrect";
}
