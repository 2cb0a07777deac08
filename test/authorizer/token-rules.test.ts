/**
 * Rules beyond aws-jwt-verify's defaults, with real RS256 tokens signed by the pool's key:
 * `exp`/`iat` required with Cognito's lifetime, multi-Region issuers per pool, and the
 * bounded verified-token cache (a cached Allow never outlives `exp`).
 */
import fc from "fast-check";
import { parsePolicyConfig } from "../../shared/authorizer/config";
import { createAuthorizerHandler } from "../../shared/authorizer/handler";
import { createAuthorizerLogger as createLogger } from "../../shared/authorizer/log";
import { VerifiedTokenCache } from "../../shared/authorizer/token-cache";
import { createTokenVerifier, globalIssuer } from "../../shared/authorizer/verifier";
import { captureOutput } from "../helpers/logs";
import {
  accessClaims,
  CLIENT_ID,
  countingFetcher,
  generateKey,
  idClaims,
  POOL_ID,
  signJwt,
  TEST_ROUTES,
  testConfig,
  tokenEvent,
} from "./tokens";

const key = generateKey();
const globalKey = generateKey("global-key");
const now = (): number => Math.floor(Date.now() / 1000);
const GLOBAL = globalIssuer(POOL_ID);
const GLOBAL_JWKS_URI = `${GLOBAL}/.well-known/jwks.json`;

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

describe("exp and iat are required, with Cognito's lifetime", () => {
  const config = testConfig(key);
  const verifier = createTokenVerifier(config, { fetcher: countingFetcher() });
  const handler = createAuthorizerHandler({ config, verifier, logger: createLogger("authorizer") });
  const without = (claim: string) => {
    const claims = accessClaims();
    delete claims[claim];
    return claims;
  };

  it.each([
    ["no exp", () => without("exp")],
    ["no iat", () => without("iat")],
    ["exp not a number", () => accessClaims({ exp: "soon" })],
    ["iat not a number", () => accessClaims({ iat: "1700000000" })],
    ["iat in the future beyond the skew", () => accessClaims({ iat: now() + 600 })],
    ["lifetime over a day", () => accessClaims({ iat: now() - 60, exp: now() - 60 + 86_401 })],
    ["exp before iat", () => accessClaims({ iat: now() + 10, exp: now() + 5 })],
    ["ID token without exp (tokenUse any)", () => idClaims({ exp: undefined })],
  ])("%s: 401", async (_name, claims) => {
    const anyUse = createTokenVerifier(
      testConfig(key, { policy: { tokenUse: "any", routes: TEST_ROUTES } }),
      { fetcher: countingFetcher() },
    );
    await expect(handler(tokenEvent(`Bearer ${signJwt(key, claims())}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
    await expect(anyUse.verify(signJwt(key, claims()))).rejects.toThrow();
  });

  it("accepts iat within the skew and a lifetime of exactly a day", async () => {
    const skewed = accessClaims({ iat: now() + 30, exp: now() + 3600 });
    const day = accessClaims({ iat: now() - 60, exp: now() - 60 + 86_400 });
    await expect(verifier.verify(signJwt(key, skewed))).resolves.toMatchObject({ sub: skewed.sub });
    await expect(verifier.verify(signJwt(key, day))).resolves.toMatchObject({ sub: day.sub });
  });
});

describe("multi-Region (replicated) pools, per pool", () => {
  const jwksFor = (uri: string) => ({ keys: [uri === GLOBAL_JWKS_URI ? globalKey.jwk : key.jwk] });

  it("a pool not marked replicated refuses the global issuer and never fetches its JWKS", async () => {
    // Prepare: no bundled JWKS, so anything needed is fetched
    const fetcher = countingFetcher(jwksFor);
    const verifier = createTokenVerifier(testConfig(key, { bundledJwks: {} }), { fetcher });

    // Act
    await verifier.hydrate();
    const refused = await verifier
      .verify(signJwt(globalKey, accessClaims({ iss: GLOBAL })))
      .catch((e: Error) => e);
    const classic = await verifier.verify(signJwt(key, accessClaims()));

    // Assess
    expect(refused).toBeInstanceOf(Error);
    expect(classic.sub).toBeDefined();
    expect(fetcher.calls).not.toContain(GLOBAL_JWKS_URI);
    expect(fetcher.calls.every((uri) => uri.startsWith("https://cognito-idp."))).toBe(true);
  });

  it("a replicated pool accepts both issuers, each with its own JWKS", async () => {
    const fetcher = countingFetcher(jwksFor);
    const config = testConfig(key, {
      bundledJwks: {},
      policy: {
        userPools: [{ userPoolId: POOL_ID, clientIds: [CLIENT_ID], replicated: true }],
        routes: TEST_ROUTES,
      },
    });
    const verifier = createTokenVerifier(config, { fetcher });

    await verifier.hydrate();
    const viaGlobal = await verifier.verify(signJwt(globalKey, accessClaims({ iss: GLOBAL })));
    const viaClassic = await verifier.verify(signJwt(key, accessClaims()));
    // The global issuer's key does not verify classic tokens, nor the other way round.
    const crossed = await verifier
      .verify(signJwt({ ...globalKey, kid: key.kid }, accessClaims()))
      .catch((e: Error) => e);

    expect(viaGlobal.iss).toBe(GLOBAL);
    expect(viaClassic.sub).toBeDefined();
    expect(crossed).toBeInstanceOf(Error);
    expect([...fetcher.calls].sort()).toEqual(
      [
        `https://cognito-idp.eu-west-1.amazonaws.com/${POOL_ID}/.well-known/jwks.json`,
        GLOBAL_JWKS_URI,
      ].sort(),
    );
  });

  it("refuses a non-boolean replicated flag at parse time", () => {
    expect(() =>
      parsePolicyConfig({
        userPools: [{ userPoolId: POOL_ID, clientIds: [CLIENT_ID], replicated: "yes" }],
        routes: TEST_ROUTES,
      }),
    ).toThrow('AUTHORIZER_CONFIG.userPools[0].replicated: expected true or false, got "yes"');
  });
});

describe("verified-token cache", () => {
  it("serves a repeated token without verifying again, and never caches a failure", async () => {
    // Prepare
    const config = testConfig(key, { tokenCacheSize: 10 });
    const verifier = createTokenVerifier(config, { fetcher: countingFetcher() });
    const good = signJwt(key, accessClaims());
    const bad = `${good.slice(0, -4)}AAAA`;

    // Act + Assess: a failure stays a failure, every time
    for (let i = 0; i < 3; i++) await expect(verifier.verify(bad)).rejects.toThrow();
    const first = await verifier.verify(good);
    expect(await verifier.verify(good)).toBe(first);
  });

  it("stays within its entry and character caps", () => {
    const cache = new VerifiedTokenCache({ maxEntries: 3, maxChars: 25, now: () => 0 });
    for (let i = 0; i < 10; i++) cache.set(`token-${i}-xx`, { exp: 100 } as never);
    expect(cache.size).toBeLessThanOrEqual(2);
    expect(cache.get("token-9-xx")).toBeDefined();
    expect(cache.get("token-0-xx")).toBeUndefined();
    cache.set("x".repeat(26), { exp: 100 } as never);
    expect(cache.get("x".repeat(26))).toBeUndefined();
  });

  it("property: a cached entry is never returned at or after its exp, whatever the order of events", () => {
    type Op =
      | { kind: "set"; token: number; exp: number }
      | { kind: "get"; token: number }
      | { kind: "tick"; seconds: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant("set" as const),
        token: fc.integer({ min: 0, max: 6 }),
        exp: fc.integer({ min: 0, max: 200 }),
      }),
      fc.record({ kind: fc.constant("get" as const), token: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ kind: fc.constant("tick" as const), seconds: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 0, max: 5 }), (ops, cap) => {
        let clock = 0;
        const cache = new VerifiedTokenCache({ maxEntries: cap, maxChars: 1000, now: () => clock });
        const stored = new Map<string, Set<number>>();
        for (const o of ops) {
          const token = `token-${"token" in o ? o.token : 0}`;
          if (o.kind === "tick") clock += o.seconds * 1000;
          else if (o.kind === "set") {
            cache.set(token, { exp: o.exp } as never);
            stored.set(token, (stored.get(token) ?? new Set()).add(o.exp));
          } else {
            const hit = cache.get(token);
            if (hit !== undefined) {
              expect(clock).toBeLessThan((hit.exp as number) * 1000);
              expect(stored.get(token)?.has(hit.exp as number)).toBe(true);
            }
          }
          expect(cache.size).toBeLessThanOrEqual(cap);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a token past exp is refused even when it was cached (handler)", async () => {
    // Prepare: the cache's clock jumps past exp; the library's check uses the real clock
    let clock = Date.now();
    const exp = now() + 2;
    const config = testConfig(key, { tokenCacheSize: 10 });
    const verifier = createTokenVerifier(config, { fetcher: countingFetcher(), now: () => clock });
    const token = signJwt(key, accessClaims({ exp }));
    await verifier.verify(token);

    // Act: still cached before exp; past exp the cache drops it and the library decides
    clock = exp * 1000 + 1;
    const real = jest.spyOn(Date, "now").mockReturnValue(exp * 1000 + 1);
    const result = await verifier.verify(token).catch((e: Error) => e);
    real.mockRestore();

    // Assess
    expect(result).toBeInstanceOf(Error);
  });
});
