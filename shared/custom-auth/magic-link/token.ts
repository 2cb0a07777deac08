/**
 * The magic-link token: `<payload>.<signature>`, both base64url. The payload is a small JSON
 * object (pool, username, sub, issued-at, expiry, nonce); the signature is ECDSA P-256 over
 * the payload segment's ASCII, 64 bytes (r || s, low-S). Parsing never throws, and accepts
 * one spelling of each token only, so any change to a token is refused.
 */
import { createHash, randomBytes } from "node:crypto";

/** What a link proves: this user of this pool asked for it, at `iat`, valid until `exp`. */
export interface LinkPayload {
  /** Format version (1). */
  readonly v: 1;
  /** The user pool id. */
  readonly pool: string;
  /** Cognito's `userName` (what the client passes as USERNAME to use the link). */
  readonly user: string;
  /** The user's `sub`: a user deleted and created again under the same name is another user. */
  readonly sub: string;
  /** Issued at, epoch seconds. */
  readonly iat: number;
  /** Expires at, epoch seconds (refused from then on). */
  readonly exp: number;
  /** 16 random bytes, base64url: the single-use part (its hash is stored per user). */
  readonly nonce: string;
}

/** A token split and decoded, not yet verified. */
export interface ParsedToken {
  readonly payload: LinkPayload;
  /** The bytes the signature covers (the payload segment, ASCII). */
  readonly signedBytes: Buffer;
  /** The 64-byte r || s signature. */
  readonly signature: Buffer;
}

/** Longest token looked at: anything longer is refused before any work. */
export const MAX_TOKEN_LENGTH = 1024;
/** Bytes of a P-256 signature as r || s. */
export const SIGNATURE_BYTES = 64;
/** Bytes of randomness in a nonce. */
export const NONCE_BYTES = 16;

const B64URL = /^[A-Za-z0-9_-]+$/;
const PAYLOAD_KEYS = ["v", "pool", "user", "sub", "iat", "exp", "nonce"] as const;
const MAX_FIELD = 128;

/** A fresh nonce (16 random bytes, base64url). */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString("base64url");
}

/** The stored form of a nonce: SHA-256, base64url (the table never holds a usable nonce). */
export function nonceHash(nonce: string): string {
  return createHash("sha256").update(nonce, "utf8").digest("base64url");
}

/** The payload segment of a token (canonical JSON: fixed key order). */
export function encodePayload(payload: LinkPayload): string {
  const ordered = Object.fromEntries(PAYLOAD_KEYS.map((key) => [key, payload[key]]));
  return Buffer.from(JSON.stringify(ordered), "utf8").toString("base64url");
}

/** Join a payload segment and its 64-byte signature into a token. */
export function joinToken(payloadSegment: string, signature: Uint8Array): string {
  return `${payloadSegment}.${Buffer.from(signature).toString("base64url")}`;
}

/** Decode base64url only when `text` is its one canonical spelling (no spare bits, no padding). */
function canonicalBase64url(text: string): Buffer | undefined {
  if (!B64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? bytes : undefined;
}

function isField(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_FIELD;
}

function isSeconds(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** Read a payload's JSON; undefined unless it is exactly a {@link LinkPayload} in canonical form. */
function readPayload(bytes: Buffer, segment: string): LinkPayload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== PAYLOAD_KEYS.length || !PAYLOAD_KEYS.every((k) => Object.hasOwn(record, k))) {
    return undefined;
  }
  const { v, pool, user, sub, iat, exp, nonce } = record;
  if (v !== 1 || !isField(pool) || !isField(user) || !isField(sub)) return undefined;
  if (!isSeconds(iat) || !isSeconds(exp) || exp <= iat) return undefined;
  if (!isField(nonce) || canonicalBase64url(nonce)?.length !== NONCE_BYTES) return undefined;
  const payload: LinkPayload = { v, pool, user, sub, iat, exp, nonce };
  // One spelling per payload: whitespace, key order or escapes that decode the same are refused.
  return encodePayload(payload) === segment ? payload : undefined;
}

/**
 * Split and decode a token; undefined for anything that is not one (never throws, whatever
 * `value` is). The signature is not checked here: see {@link checkToken}.
 */
export function parseToken(value: unknown): ParsedToken | undefined {
  if (typeof value !== "string" || value.length > MAX_TOKEN_LENGTH) return undefined;
  const parts = value.split(".");
  if (parts.length !== 2) return undefined;
  const [segment = "", signatureText = ""] = parts;
  const payloadBytes = canonicalBase64url(segment);
  const signature = canonicalBase64url(signatureText);
  if (payloadBytes === undefined || signature?.length !== SIGNATURE_BYTES) return undefined;
  const payload = readPayload(payloadBytes, segment);
  if (payload === undefined) return undefined;
  return { payload, signedBytes: Buffer.from(segment, "ascii"), signature };
}

/** Checks the signature of `bytes` (a public key in memory: no I/O). */
export type SignatureCheck = (bytes: Buffer, signature: Buffer) => boolean;

/** Whom and when the token must match. */
export interface TokenExpectation {
  readonly pool: string;
  readonly user: string;
  /** The user's `sub` in the event; undefined (no such attribute) matches no token. */
  readonly sub: string | undefined;
  /** Now, epoch milliseconds. */
  readonly nowMs: number;
}

/** Why a token was accepted or not (logged; never the token). */
export type TokenVerdict =
  | "valid"
  | "malformed"
  | "bad-signature"
  | "wrong-pool"
  | "wrong-user"
  | "expired"
  | "not-yet-valid";

// A clock running a little ahead on the create side must not refuse a fresh link.
const CLOCK_SKEW_SECONDS = 30;

/**
 * Check a token against the event's pool and user at `nowMs`: well formed, signed by our key,
 * for this pool, user and sub, issued (within clock skew) and not expired. Pure except for
 * the signature check it is given. The single-use check (the live-links store) comes after.
 */
export function checkToken(
  value: unknown,
  verifySignature: SignatureCheck,
  expected: TokenExpectation,
): { readonly verdict: TokenVerdict; readonly payload?: LinkPayload } {
  const parsed = parseToken(value);
  if (parsed === undefined) return { verdict: "malformed" };
  if (!verifySignature(parsed.signedBytes, parsed.signature)) return { verdict: "bad-signature" };
  const { payload } = parsed;
  if (payload.pool !== expected.pool) return { verdict: "wrong-pool" };
  if (payload.user !== expected.user || payload.sub !== expected.sub) {
    return { verdict: "wrong-user" };
  }
  const now = Math.floor(expected.nowMs / 1000);
  if (payload.iat > now + CLOCK_SKEW_SECONDS) return { verdict: "not-yet-valid" };
  if (now >= payload.exp) return { verdict: "expired" };
  return { verdict: "valid", payload };
}
