/**
 * The warm verification path for RS256 tokens (what Cognito issues): the checks of
 * aws-jwt-verify's `verifySync`, run in the same order with the library's own assertions and
 * errors, without the work it repeats per token: the JSON is parsed once with no reviver when
 * its text cannot name `__proto__` or `constructor`, the JWK checks and the public KeyObject are
 * kept per JWK, and the signature is one `crypto.verify` over buffers. A token this path does
 * not handle (another algorithm, an issuer it does not know, a malformed token) is left to the
 * library: it answers {@link DEFER}. docs/authorizer.md, "Speed".
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { assertStringArrayContainsString, assertStringEquals } from "aws-jwt-verify/assert";
import {
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtParseError,
} from "aws-jwt-verify/error";
import { assertIsSignatureJwk, type Jwk, type SimpleJwksCache } from "aws-jwt-verify/jwk";
import { type DecomposedJwt, validateJwtFields } from "aws-jwt-verify/jwt";
import type { JwtHeader, JwtPayload } from "aws-jwt-verify/jwt-model";
import { supportedSignatureAlgorithms } from "aws-jwt-verify/jwt-verifier";
import { safeJsonParse } from "aws-jwt-verify/safe-json-parse";
import { isRecord } from "../guards";

/** Answer of {@link createRs256Path}'s function for a token it leaves to the library. */
export const DEFER: unique symbol = Symbol("defer");

/** What the path needs to know of one issuer. */
export interface Rs256Issuer {
  /** Its JWKS URI (the key of the JWKS cache). */
  readonly jwksUri: string;
  /** The issuer's own checks after the library's claim checks (Cognito fields, our times). */
  readonly check: (payload: JwtPayload, nowSeconds: number) => void;
}

// aws-jwt-verify's own shape check of a compact JWT (jwt.js, JWT_REGEX).
const JWT_SHAPE = /^[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}$/;

/**
 * JSON.parse, or the library's `safeJsonParse` (which deletes own `__proto__` and `constructor`
 * keys of every object, at every level) when the parsed value holds such a key, however the
 * text spells it: the same value either way.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return hasPollutingKey(value) ? safeJsonParse(text) : value;
}

/**
 * Whether some object in `root` (at any depth) has an own `__proto__` or `constructor` key
 * (JSON.parse makes both own data properties). A walk over the parsed value costs less than
 * searching the text for them; iterative, so no nesting depth overflows the stack.
 */
function hasPollutingKey(root: unknown): boolean {
  // Objects still to look into; one array reused (the walk is synchronous), left empty.
  const pending = PENDING;
  let value: unknown = root;
  for (;;) {
    if (typeof value === "object" && value !== null) {
      if (Array.isArray(value)) {
        for (const item of value) {
          if (typeof item === "object" && item !== null) pending.push(item);
        }
      } else {
        if (Object.hasOwn(value, "__proto__") || Object.hasOwn(value, "constructor")) {
          pending.length = 0;
          return true;
        }
        for (const key in value) {
          const item = (value as Record<string, unknown>)[key];
          if (typeof item === "object" && item !== null) pending.push(item);
        }
      }
    }
    if (pending.length === 0) return false;
    value = pending.pop();
  }
}
const PENDING: object[] = [];

// The same checks, messages and error class as aws-jwt-verify 5.2.1's assertJwtHeader and
// assertJwtPayload (dist/cjs/jwt.js), which it does not export.
function assertHeader(header: unknown): asserts header is JwtHeader {
  if (!isRecord(header)) throw new JwtParseError("JWT header is not an object");
  if (header.alg !== undefined && typeof header.alg !== "string") {
    throw new JwtParseError("JWT header alg claim is not a string");
  }
  if (header.kid !== undefined && typeof header.kid !== "string") {
    throw new JwtParseError("JWT header kid claim is not a string");
  }
}

function assertPayload(payload: unknown): asserts payload is JwtPayload {
  if (!isRecord(payload)) throw new JwtParseError("JWT payload is not an object");
  const p = payload;
  if (p.exp !== undefined && !Number.isFinite(p.exp)) {
    throw new JwtParseError("JWT payload exp claim is not a number");
  }
  if (p.iss !== undefined && typeof p.iss !== "string") {
    throw new JwtParseError("JWT payload iss claim is not a string");
  }
  if (p.sub !== undefined && typeof p.sub !== "string") {
    throw new JwtParseError("JWT payload sub claim is not a string");
  }
  if (
    p.aud !== undefined &&
    typeof p.aud !== "string" &&
    (!Array.isArray(p.aud) || p.aud.some((aud) => typeof aud !== "string"))
  ) {
    throw new JwtParseError("JWT payload aud claim is not a string or array of strings");
  }
  if (p.nbf !== undefined && !Number.isFinite(p.nbf)) {
    throw new JwtParseError("JWT payload nbf claim is not a number");
  }
  if (p.iat !== undefined && !Number.isFinite(p.iat)) {
    throw new JwtParseError("JWT payload iat claim is not a number");
  }
  if (p.scope !== undefined && typeof p.scope !== "string") {
    throw new JwtParseError("JWT payload scope claim is not a string");
  }
  if (p.jti !== undefined && typeof p.jti !== "string") {
    throw new JwtParseError("JWT payload jti claim is not a string");
  }
}

/**
 * One scratch buffer for the decoding and copying each verification does synchronously, grown
 * to the longest token seen (bounded by AUTHORIZER_MAX_TOKEN_LENGTH): no buffer allocated per
 * token (their allocation and collection were a few percent of a fresh token's time).
 */
let SCRATCH = Buffer.allocUnsafe(4096);
function scratchFor(chars: number): Buffer {
  if (SCRATCH.length < chars) SCRATCH = Buffer.allocUnsafe(chars);
  return SCRATCH;
}

/** Parse and check a header (the library's steps for it). */
function parseHeader(headerB64: string): JwtHeader {
  let header: unknown;
  try {
    header = parseJson(Buffer.from(headerB64, "base64url").toString("utf8"));
  } catch (err) {
    throw new JwtParseError("Invalid JWT. Header is not a valid JSON object", err);
  }
  assertHeader(header);
  return header;
}

/**
 * Headers already parsed, by their base64url text: every token of a pool and key has the same
 * one. Frozen (the same object is shared by many tokens) and capped: attacker-chosen headers
 * cannot grow it.
 */
const HEADERS = new Map<string, JwtHeader>();
const MAX_HEADERS = 16;
/** The last token's header text and header (one of HEADERS' entries). */
let LAST_HEADER_B64 = "";
let LAST_HEADER: JwtHeader | undefined;

/**
 * Decompose a compact JWT as aws-jwt-verify's `decomposeUnverifiedJwt` does (same shape check,
 * same errors), or {@link DEFER} for what that function would refuse before parsing.
 */
export function decompose(token: string): DecomposedJwt | typeof DEFER {
  if (!JWT_SHAPE.test(token)) return DEFER;
  const first = token.indexOf(".");
  const second = token.indexOf(".", first + 1);
  const headerB64 = token.slice(0, first);
  const payloadB64 = token.slice(first + 1, second);
  // Most tokens carry the last token's header: `===` compares the text, the Map would hash it.
  let header = headerB64 === LAST_HEADER_B64 ? LAST_HEADER : HEADERS.get(headerB64);
  if (header === undefined) {
    header = Object.freeze(parseHeader(headerB64));
    if (HEADERS.size >= MAX_HEADERS) HEADERS.clear();
    HEADERS.set(headerB64, header);
  }
  LAST_HEADER_B64 = headerB64;
  LAST_HEADER = header;
  let payload: unknown;
  try {
    const scratch = scratchFor(payloadB64.length);
    const length = scratch.write(payloadB64, "base64url");
    payload = parseJson(scratch.toString("utf8", 0, length));
  } catch (err) {
    throw new JwtParseError("Invalid JWT. Payload is not a valid JSON object", err);
  }
  assertPayload(payload);
  return { header, headerB64, payload, payloadB64, signatureB64: token.slice(second + 1) };
}

/** A JWK that passed the library's checks for RS256, and its imported public key. */
interface CheckedKey {
  readonly key: KeyObject;
}

/**
 * Build the RS256 path over `jwksCache` for `issuers` (by `iss`). The function verifies a
 * token and returns its payload, throws the library's error for a token that fails a check, or
 * answers {@link DEFER}; the JWKS cache's own errors (JWKS not cached, unknown `kid`) are thrown
 * as they are, for the caller's download path.
 */
export function createRs256Path(
  jwksCache: SimpleJwksCache,
  issuers: ReadonlyMap<string, Rs256Issuer>,
): (token: string) => JwtPayload | typeof DEFER {
  // Per JWK object: a JWKS refresh replaces the objects, so a rotated key is never reused.
  const checked = new WeakMap<Jwk, CheckedKey>();
  // A few issuers are compared in a list: `===` on the token's fresh `iss` string costs less
  // than hashing it for a Map lookup.
  const list = issuers.size <= 8 ? [...issuers] : undefined;
  const issuerOf = (iss: string): Rs256Issuer | undefined => {
    if (list === undefined) return issuers.get(iss);
    for (const [known, issuer] of list) if (known === iss) return issuer;
    return undefined;
  };
  return (token) => {
    const decomposed = decompose(token);
    if (decomposed === DEFER) return DEFER;
    const { header, payload } = decomposed;
    const issuer = typeof payload.iss === "string" ? issuerOf(payload.iss) : undefined;
    if (issuer === undefined || header.alg !== "RS256") return DEFER;
    const jwk = jwksCache.getCachedJwk(issuer.jwksUri, decomposed);
    let entry = checked.get(jwk);
    if (entry === undefined) {
      // The library's validateJwtHeaderAndJwk for this JWK and alg RS256 (the only alg here).
      assertIsSignatureJwk(jwk);
      if (jwk.alg) {
        assertStringEquals(
          "JWT signature algorithm",
          header.alg,
          jwk.alg,
          JwtInvalidSignatureAlgorithmError,
        );
      }
      assertStringArrayContainsString(
        "JWT signature algorithm",
        header.alg,
        supportedSignatureAlgorithms,
        JwtInvalidSignatureAlgorithmError,
      );
      if (jwk.kty !== "RSA") return DEFER;
      entry = { key: createPublicKey({ key: jwk as never, format: "jwk" }) };
      checked.set(jwk, entry);
    }
    // The shape check above allows ASCII only: latin1 is the token's bytes. The signing input
    // and the decoded signature share the scratch buffer (crypto.verify is synchronous here).
    const signed = token.length - decomposed.signatureB64.length - 1;
    const scratch = scratchFor(token.length + decomposed.signatureB64.length);
    scratch.write(token, 0, signed, "latin1");
    const sigLength = scratch.write(decomposed.signatureB64, signed, "base64url");
    const { buffer, byteOffset } = scratch;
    const valid = verify(
      "RSA-SHA256",
      new Uint8Array(buffer, byteOffset, signed),
      entry.key,
      new Uint8Array(buffer, byteOffset + signed, sigLength),
    );
    if (!valid) throw new JwtInvalidSignatureError("Invalid signature");
    const now = Date.now() / 1000;
    // The library's validateJwtFields with the issuer the token names and no audience: `exp`
    // and `nbf` (finite when present, asserted above) against the clock, no grace. Called
    // when either fails, for its exact error.
    const { exp, nbf } = payload;
    if ((exp !== undefined && exp < now) || (nbf !== undefined && nbf > now)) {
      validateJwtFields(payload, { issuer: payload.iss as string, audience: null });
    }
    issuer.check(payload, now);
    return payload;
  };
}
