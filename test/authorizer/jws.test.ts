/**
 * The RS256 warm path (shared/authorizer/jws.ts) against aws-jwt-verify's own `verifySync` on
 * the same JWKS and checks: for any token, signed or not, well-formed or not, the two agree:
 * the same payload, or an error of the same class (the path may defer to the library, never
 * decide differently). Plus the JSON parsing that replaces the library's reviver.
 */
import { createHmac, sign } from "node:crypto";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import { JwtVerifier } from "aws-jwt-verify/jwt-verifier";
import fc from "fast-check";
import { createRs256Path, DEFER, parseJson } from "../../shared/authorizer/jws";
import { accessClaims, CLIENT_ID, generateKey, ISSUER, signJwt, type TestKey } from "./tokens";

const key = generateKey();
const otherKey = generateKey("other-kid");
const ecKid = "ec-key";
const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
const check = (payload: JwtPayload): void => {
  if (payload.client_id !== CLIENT_ID) throw new Error("custom check: wrong client");
};

function pair() {
  const jwksCache = new SimpleJwksCache();
  const jwks = { keys: [key.jwk, { ...otherKey.jwk, alg: "RS512" }] };
  const library = JwtVerifier.create(
    {
      issuer: ISSUER,
      audience: null,
      jwksUri: JWKS_URI,
      customJwtCheck: ({ payload }: { payload: JwtPayload }) => check(payload),
    } as never,
    { jwksCache },
  ) as unknown as { verifySync(t: string): JwtPayload; cacheJwks(j: unknown): void };
  library.cacheJwks(jwks);
  const fast = createRs256Path(jwksCache, new Map([[ISSUER, { jwksUri: JWKS_URI, check }]]));
  return { library, fast };
}

type Outcome = { ok: true; payload: unknown } | { ok: false; error: string };

function outcome(run: () => unknown): Outcome {
  try {
    return { ok: true, payload: run() };
  } catch (error) {
    return { ok: false, error: (error as Error).constructor.name };
  }
}

/** Both outcomes; `deferred` when the path left the token to the library. */
function compare(token: string) {
  const { library, fast } = pair();
  const expected = outcome(() => library.verifySync(token));
  const got = outcome(() => fast(token));
  const deferred = got.ok && got.payload === DEFER;
  return { expected, got, deferred };
}

const b64 = (v: unknown) =>
  Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

function signRaw(k: TestKey, header: string, payload: string, alg = "RSA-SHA256"): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(alg, Buffer.from(input), k.privateKey).toString("base64url")}`;
}

describe("the RS256 path agrees with aws-jwt-verify", () => {
  const cases: [string, string][] = [
    ["a valid token", signJwt(key, accessClaims())],
    ["non-ASCII claims (UTF-8)", signJwt(key, accessClaims({ name: "Zoë 東京 🙂" }))],
    ["expired", signJwt(key, accessClaims({ exp: 1000, iat: 900 }))],
    ["nbf in the future", signJwt(key, accessClaims({ nbf: 4102444800 }))],
    ["wrong issuer", signJwt(key, accessClaims({ iss: "https://evil.example/x" }))],
    ["custom check fails", signJwt(key, accessClaims({ client_id: "other" }))],
    ["unknown kid", signJwt(key, accessClaims(), { kid: "nope" })],
    ["no kid", signJwt(key, accessClaims(), { kid: undefined })],
    ["kid not a string", signJwt(key, accessClaims(), { kid: 7 })],
    ["alg none", signJwt(key, accessClaims(), { alg: "none" })],
    ["alg HS256", signJwt(key, accessClaims(), { alg: "HS256" })],
    ["alg RS512 on an RS256 key", signJwt(key, accessClaims(), { alg: "RS512" })],
    ["RS256 header on an RS512 key", signJwt(otherKey, accessClaims(), { kid: "other-kid" })],
    ["alg not a string", signJwt(key, accessClaims(), { alg: 256 })],
    [
      "RS512 on the RS512 key (signed with SHA-512: the library's to verify)",
      signRaw(
        otherKey,
        JSON.stringify({ alg: "RS512", kid: "other-kid" }),
        JSON.stringify(accessClaims()),
        "RSA-SHA512",
      ),
    ],
    [
      "RS512 on the RS512 key, but a SHA-256 signature",
      signRaw(
        otherKey,
        JSON.stringify({ alg: "RS512", kid: "other-kid" }),
        JSON.stringify(accessClaims()),
      ),
    ],
    ["signed by another key", signJwt(otherKey, accessClaims(), { kid: key.kid })],
    ["exp not a number", signJwt(key, accessClaims({ exp: "soon" }))],
    ["aud of numbers", signJwt(key, accessClaims({ aud: [1, 2] }))],
    ["scope not a string", signJwt(key, accessClaims({ scope: ["a"] }))],
    ["payload an array", signRaw(key, JSON.stringify({ alg: "RS256", kid: key.kid }), "[1]")],
    ["payload not JSON", signRaw(key, JSON.stringify({ alg: "RS256", kid: key.kid }), "{nope")],
    ["header not JSON", signRaw(key, "{", JSON.stringify(accessClaims()))],
    [
      "__proto__ and constructor keys",
      signRaw(
        key,
        JSON.stringify({ alg: "RS256", kid: key.kid }),
        JSON.stringify(accessClaims()).replace("{", '{"__proto__":{"x":1},"constructor":2,'),
      ),
    ],
    [
      "an escaped __proto__ key",
      signRaw(
        key,
        JSON.stringify({ alg: "RS256", kid: key.kid }),
        JSON.stringify(accessClaims()).replace("{", '{"\\u005f_proto__":{"x":1},'),
      ),
    ],
    ["empty", ""],
    ["two parts", "a.b"],
    ["four parts", `${signJwt(key, accessClaims())}.x`],
    ["bad characters", signJwt(key, accessClaims()).replace(/\.(.)/, ".$1!")],
    ["padded signature", `${signJwt(key, accessClaims())}=`],
    [
      "HS256 with the public key",
      (() => {
        const input = `${b64({ alg: "HS256", kid: key.kid })}.${b64(accessClaims())}`;
        return `${input}.${createHmac("sha256", key.publicPem).update(input).digest("base64url")}`;
      })(),
    ],
  ];

  test.each(cases)("%s", (_name, token) => {
    const { expected, got, deferred } = compare(token);
    if (!deferred) expect(got).toEqual(expected);
  });

  test("the ordinary Cognito token takes the path (it does not defer)", () => {
    expect(compare(signJwt(key, accessClaims())).deferred).toBe(false);
  });

  test("property: any header and payload, signed or tampered, same outcome", () => {
    const json = fc.oneof(
      fc.constant(undefined),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
    );
    const now = Math.floor(Date.now() / 1000);
    fc.assert(
      fc.property(
        fc.record({
          alg: fc.oneof(fc.constantFrom("RS256", "RS512", "ES256", "none", "HS256"), json),
          kid: fc.oneof(fc.constantFrom(key.kid, "other-kid", ecKid), json),
        }),
        fc.record(
          {
            iss: fc.oneof(fc.constant(ISSUER), json),
            exp: fc.oneof(fc.constantFrom(now + 600, now - 600), json),
            nbf: fc.oneof(fc.constantFrom(now - 10, now + 600), json),
            iat: fc.oneof(fc.constant(now), json),
            sub: fc.oneof(fc.constant("s"), json),
            aud: json,
            scope: json,
            jti: json,
            client_id: fc.oneof(fc.constant(CLIENT_ID), json),
          },
          { requiredKeys: [] },
        ),
        fc.constantFrom("sign", "other-key", "flip", "none"),
        (header, payload, how) => {
          const signer = how === "other-key" ? otherKey : key;
          let token = signRaw(signer, JSON.stringify(header), JSON.stringify(payload));
          if (how === "flip") token = `${token.slice(0, -3)}${token.endsWith("A") ? "B" : "A"}AA`;
          if (how === "none") token = `${token.slice(0, token.lastIndexOf(".") + 1)}`;
          const { expected, got, deferred } = compare(token);
          if (!deferred) expect(got).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("parseJson", () => {
  test("drops __proto__ and constructor keys, spelled out or escaped, as the library does", () => {
    for (const text of [
      '{"__proto__":{"admin":true},"a":1}',
      '{"\\u005f_proto__":{"admin":true},"a":1}',
      '{"constructor":{"prototype":{}},"a":{"__proto__":1}}',
    ]) {
      const parsed = parseJson(text) as Record<string, unknown>;
      expect(Object.hasOwn(parsed, "__proto__")).toBe(false);
      expect(Object.hasOwn(parsed, "constructor")).toBe(false);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    }
  });

  test("plain JSON parses as JSON.parse does", () => {
    // Plain: no `__proto__` or `constructor` key, which parseJson drops on purpose (above);
    // fc.jsonValue() generates such keys now and then.
    const plain = fc
      .jsonValue()
      .filter((value) => !/"(__proto__|constructor)":/.test(JSON.stringify(value)));
    fc.assert(
      fc.property(plain, (value) => {
        const text = JSON.stringify(value);
        expect(parseJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });
});
