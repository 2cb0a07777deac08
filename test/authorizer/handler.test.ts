/**
 * The authorizer handler against real RS256 JWTs signed with generated keys, the
 * JWKS preloaded with cacheJwks (bundled JWKS), and no network.
 */

import { type AuthorizerResult, createAuthorizerHandler } from "../../shared/authorizer/handler";
import { evaluatePolicy, type PolicyDocument } from "../../shared/authorizer/policy";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
import { createLogger } from "../../shared/logger";
import { captureOutput } from "../helpers/logs";
import {
  API_BASE,
  accessClaims,
  countingFetcher,
  generateKey,
  httpEvent,
  idClaims,
  requestEvent,
  signHs256WithPublicKey,
  signJwt,
  type TestKey,
  testConfig,
  tokenEvent,
  unsignedJwt,
} from "./tokens";

const key = generateKey();
const otherKey = generateKey("other-key");

function makeHandler(overrides: Parameters<typeof testConfig>[1] = {}) {
  const config = testConfig(key, overrides);
  const fetcher = countingFetcher();
  const verifier = createTokenVerifier(config, { fetcher });
  const handler = createAuthorizerHandler({ config, verifier, logger: createLogger("authorizer") });
  return { handler, fetcher };
}

function policyOf(result: AuthorizerResult): PolicyDocument {
  if (!("policyDocument" in result)) throw new Error("not a REST result");
  return result.policyDocument as PolicyDocument;
}

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

const bearer = (token: string): string => `Bearer ${token}`;

describe("valid tokens", () => {
  it("allows a valid access token with the scope (TOKEN event) and fills the context", async () => {
    // Prepare
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims());

    // Act
    const result = await handler(tokenEvent(bearer(token)));

    // Assess
    expect(result).toMatchObject({
      principalId: "8f2e1a3c-1111-4a5b-9c9d-0123456789ab",
      context: {
        sub: "8f2e1a3c-1111-4a5b-9c9d-0123456789ab",
        username: "jane",
        clientId: "client1abc",
        scopes: "hello/read",
        groups: "members",
        tenant_id: "tenant-42",
        tokenUse: "access",
      },
    });
    expect(evaluatePolicy(policyOf(result), `${API_BASE}GET/hello`)).toBe("allow");
  });

  it("accepts the raw token in TOKEN mode", async () => {
    const { handler } = makeHandler();
    const result = await handler(tokenEvent(signJwt(key, accessClaims())));
    expect(evaluatePolicy(policyOf(result), `${API_BASE}GET/hello`)).toBe("allow");
  });

  it("reads the Authorization header in any case with the scheme in any case (REQUEST)", async () => {
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims());
    for (const headers of [
      { Authorization: `Bearer ${token}` },
      { authorization: `bearer ${token}` },
      { AUTHORIZATION: `BEARER ${token}` },
    ]) {
      const result = await handler(requestEvent(headers));
      expect(evaluatePolicy(policyOf(result), `${API_BASE}GET/hello`)).toBe("allow");
    }
  });

  it("accepts an ID token when tokenUse is id, and refuses it by default", async () => {
    // Prepare
    const token = signJwt(key, idClaims());
    const idHandler = makeHandler({ policy: { tokenUse: "id" } }).handler;
    const defaultHandler = makeHandler().handler;

    // Act
    const result = await idHandler(tokenEvent(bearer(token), "GET/admin/users"));

    // Assess
    expect(result).toMatchObject({
      context: { username: "jane", clientId: "client1abc", groups: "admins", tokenUse: "id" },
    });
    expect(evaluatePolicy(policyOf(result), `${API_BASE}GET/admin/users`)).toBe("allow");
    await expect(defaultHandler(tokenEvent(bearer(token)))).rejects.toThrow(
      new Error("Unauthorized"),
    );
  });

  it("answers HTTP API payload 2.0 events with the simple response", async () => {
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims());

    const allowed = await handler(httpEvent({ authorization: bearer(token) }));
    const denied = await handler(httpEvent({ authorization: bearer(token) }, "GET/admin/x"));

    expect(allowed).toMatchObject({ isAuthorized: true, context: { sub: expect.any(String) } });
    expect(denied).toMatchObject({ isAuthorized: false });
    await expect(handler(httpEvent({}))).rejects.toThrow(new Error("Unauthorized"));
  });
});

describe("403: valid token without the scope or group", () => {
  it("returns a Deny policy for the current route", async () => {
    // Prepare
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims({ scope: "other/read" }));

    // Act
    const result = await handler(tokenEvent(bearer(token)));

    // Assess
    const policy = policyOf(result);
    expect(evaluatePolicy(policy, `${API_BASE}GET/hello`)).toBe("deny");
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Resource: expect.arrayContaining([`${API_BASE}GET/hello`]),
      }),
    );
  });

  it("denies a route no rule names, with an explicit Deny", async () => {
    const { handler } = makeHandler();
    const result = await handler(
      tokenEvent(bearer(signJwt(key, accessClaims())), "DELETE/nothing"),
    );
    const policy = policyOf(result);
    expect(evaluatePolicy(policy, `${API_BASE}DELETE/nothing`)).toBe("deny");
    expect(policy.Statement.some((s) => s.Effect === "Deny")).toBe(true);
  });
});

describe("cache correctness", () => {
  it("the policy from route A's request allows A, denies B, and is the same from B's request", async () => {
    // Prepare: allowed on GET /hello (scope), denied on GET /admin/* (no group)
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims());

    // Act
    const fromA = policyOf(await handler(tokenEvent(bearer(token), "GET/hello")));
    const fromB = policyOf(await handler(tokenEvent(bearer(token), "GET/admin/users")));

    // Assess
    expect(evaluatePolicy(fromA, `${API_BASE}GET/hello`)).toBe("allow");
    expect(evaluatePolicy(fromA, `${API_BASE}GET/admin/users`)).toBe("deny");
    expect(evaluatePolicy(fromA, `${API_BASE}GET/admin/users/7/roles`)).toBe("deny");
    expect(evaluatePolicy(fromA, `${API_BASE}ANY/public`.replace("ANY", "GET"))).toBe("allow");
    expect(evaluatePolicy(fromB, `${API_BASE}GET/hello`)).toBe("allow");
  });

  it("lists every route the principal may call, with the request's region/account/api/stage", async () => {
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims({ scope: "hello/read items/write" }));
    const policy = policyOf(await handler(tokenEvent(bearer(token), "GET/hello")));
    expect(policy.Statement).toContainEqual({
      Action: "execute-api:Invoke",
      Effect: "Allow",
      Resource: [`${API_BASE}GET/hello`, `${API_BASE}POST/items/*`, `${API_BASE}*/public`],
    });
  });
});

describe("401: every bad token throws exactly Error('Unauthorized')", () => {
  const cases: [string, (k: TestKey) => unknown][] = [
    [
      "expired",
      (k) => bearer(signJwt(k, accessClaims({ exp: Math.floor(Date.now() / 1000) - 10 }))),
    ],
    [
      "not yet valid (nbf in the future)",
      (k) => bearer(signJwt(k, accessClaims({ nbf: Math.floor(Date.now() / 1000) + 600 }))),
    ],
    [
      "wrong issuer",
      (k) =>
        bearer(
          signJwt(
            k,
            accessClaims({ iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Evil" }),
          ),
        ),
    ],
    ["wrong client", (k) => bearer(signJwt(k, accessClaims({ client_id: "someoneelse" })))],
    ["wrong token_use", (k) => bearer(signJwt(k, accessClaims({ token_use: "refresh" })))],
    ["ID token when access is required", (k) => bearer(signJwt(k, idClaims()))],
    ["unknown kid", () => bearer(signJwt(otherKey, accessClaims()))],
    ["right kid, wrong key", () => bearer(signJwt({ ...otherKey, kid: key.kid }, accessClaims()))],
    ["no kid", (k) => bearer(signJwt(k, accessClaims(), { kid: undefined }))],
    ["alg none", (k) => bearer(unsignedJwt(k, accessClaims()))],
    ["alg none with a signature", (k) => `${bearer(unsignedJwt(k, accessClaims()))}c2ln`],
    ["HS256 signed with the public key", (k) => bearer(signHs256WithPublicKey(k, accessClaims()))],
    [
      "tampered payload",
      (k) => {
        const [h, , s] = signJwt(k, accessClaims({ scope: "hello/read" })).split(".");
        const forged = Buffer.from(
          JSON.stringify(accessClaims({ scope: "hello/read admin" })),
        ).toString("base64url");
        return bearer(`${h}.${forged}.${s}`);
      },
    ],
    [
      "tampered signature",
      (k) => {
        const token = signJwt(k, accessClaims());
        const last = token.at(-2) === "A" ? "B" : "A";
        return bearer(`${token.slice(0, -2)}${last}${token.at(-1)}`);
      },
    ],
    ["garbage", () => "Bearer not-a-jwt"],
    ["garbage with dots", () => "Bearer a.b.c"],
    ["empty", () => ""],
    ["Bearer only", () => "Bearer "],
    ["Basic scheme", () => "Basic dXNlcjpwYXNz"],
    ["not a string", () => 42],
    ["oversized header", (k) => bearer(signJwt(k, accessClaims(), { pad: "x".repeat(20_000) }))],
    ["no sub", (k) => bearer(signJwt(k, accessClaims({ sub: undefined })))],
  ];

  it.each(cases)("%s (TOKEN)", async (_name, make) => {
    const { handler } = makeHandler();
    await expect(handler(tokenEvent(make(key)))).rejects.toThrow(new Error("Unauthorized"));
  });

  it.each(cases)("%s (REQUEST)", async (_name, make) => {
    const { handler } = makeHandler();
    await expect(handler(requestEvent({ Authorization: make(key) }))).rejects.toThrow(
      new Error("Unauthorized"),
    );
  });

  it.each([
    ["null event", null],
    ["string event", "hello"],
    ["no methodArn", { type: "TOKEN", authorizationToken: "Bearer x.y.z" }],
    ["bad methodArn", { type: "TOKEN", authorizationToken: "x", methodArn: "arn:aws:s3:::bucket" }],
    ["unknown type", { type: "COOKIE", methodArn: `${API_BASE}GET/hello` }],
    ["REQUEST without headers", requestEvent(null)],
    ["REQUEST with headers as a string", { ...requestEvent(null), headers: "Authorization: x" }],
  ])("%s", async (_name, event) => {
    const { handler } = makeHandler();
    await expect(handler(event)).rejects.toThrow(new Error("Unauthorized"));
  });

  it("refuses a bare token in REQUEST mode and two different Authorization headers", async () => {
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims());
    await expect(handler(requestEvent({ Authorization: token }))).rejects.toThrow("Unauthorized");
    await expect(
      handler(requestEvent({ Authorization: bearer(token), authorization: "Bearer a.b.c" })),
    ).rejects.toThrow("Unauthorized");
  });

  it("throws the plain Error (no subclass, no extra message) and never logs the token", async () => {
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims({ exp: 1 }));
    const error = await handler(tokenEvent(bearer(token))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(Object.getPrototypeOf(error)).toBe(Error.prototype);
    expect((error as Error).message).toBe("Unauthorized");
    expect(output.text()).not.toContain(token.split(".")[1]);
    expect(output.jsonLines().some((l) => l.message === "Authorizer: unauthorized (401)")).toBe(
      true,
    );
  });
});

describe("JWKS", () => {
  it("does not fetch for a bundled JWKS, and an unknown kid fetches at most once per penalty window", async () => {
    // Prepare: the JWKS endpoint knows only the bundled key
    const config = testConfig(key);
    const fetcher = countingFetcher(() => ({ keys: [key.jwk] }));
    const verifier = createTokenVerifier(config, { fetcher });
    const handler = createAuthorizerHandler({
      config,
      verifier,
      logger: createLogger("authorizer"),
    });

    // Act
    await handler(tokenEvent(bearer(signJwt(key, accessClaims()))));
    const fetchesForKnownKid = fetcher.calls.length;
    const flood = Array.from({ length: 20 }, (_, i) =>
      handler(tokenEvent(bearer(signJwt(generateKeyCached(i), accessClaims())))).catch((e) => e),
    );
    const results = await Promise.all(flood);

    // Assess
    expect(fetchesForKnownKid).toBe(0);
    expect(results.every((r) => r instanceof Error && r.message === "Unauthorized")).toBe(true);
    expect(fetcher.calls.length).toBe(1);
  });

  it("refreshes on an unknown kid (key rotation) and then verifies", async () => {
    const config = testConfig(key);
    const rotated = generateKey("rotated-key");
    const fetcher = countingFetcher(() => ({ keys: [key.jwk, rotated.jwk] }));
    const verifier = createTokenVerifier(config, { fetcher });
    const handler = createAuthorizerHandler({
      config,
      verifier,
      logger: createLogger("authorizer"),
    });

    const result = await handler(tokenEvent(bearer(signJwt(rotated, accessClaims()))));
    await handler(tokenEvent(bearer(signJwt(rotated, accessClaims()))));

    expect(evaluatePolicy(policyOf(result), `${API_BASE}GET/hello`)).toBe("allow");
    expect(fetcher.calls).toEqual([
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1/.well-known/jwks.json",
    ]);
  });

  it("hydrate fetches only pools without a bundled JWKS", async () => {
    const fetcher = countingFetcher(() => ({ keys: [key.jwk] }));
    const verifier = createTokenVerifier(testConfig(key, { bundledJwks: {} }), { fetcher });
    await verifier.hydrate();
    await verifier.verify(signJwt(key, accessClaims()));
    expect(fetcher.calls).toHaveLength(1);

    const bundledFetcher = countingFetcher();
    await createTokenVerifier(testConfig(key), { fetcher: bundledFetcher }).hydrate();
    expect(bundledFetcher.calls).toHaveLength(0);
  });
});

// A small pool of keys for the flood (RSA generation is slow).
const floodKeys = Array.from({ length: 3 }, (_, i) => generateKey(`flood-${i}`));
function generateKeyCached(i: number): TestKey {
  return floodKeys[i % floodKeys.length] as TestKey;
}
