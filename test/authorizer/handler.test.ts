/**
 * The authorizer handler against real RS256 JWTs signed with generated keys, the
 * JWKS preloaded with cacheJwks (bundled JWKS), and no network.
 */

import { BoundedFetcher } from "../../shared/authorizer/fetcher";
import { type AuthorizerResult, createAuthorizerHandler } from "../../shared/authorizer/handler";
import { createAuthorizerLogger as createLogger } from "../../shared/authorizer/log";
import { evaluatePolicy, type PolicyDocument } from "../../shared/authorizer/policy";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
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
      Resource: [
        `${API_BASE}GET/hello`,
        `${API_BASE}POST/items/*`,
        ...["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].map(
          (m) => `${API_BASE}${m}/public`,
        ),
      ],
    });
  });
});

describe("route matching: {param} and * are one segment, ANY is every method", () => {
  it.each([
    // `POST /items/{id}` met: its resource POST/items/* also covers deeper paths in IAM
    ["a path below a {param} rule", "hello/read items/write", "POST/items/42/refund"],
    // `ANY /public`: `*/public` would have covered any method and any path ending in /public
    ["a deeper path ending like an ANY rule", "", "DELETE/users/7/public"],
    ["another route ending like an ANY rule", "", "POST/hello/public"],
  ])("denies %s (REST policy and HTTP API)", async (_name, scope, path) => {
    // Prepare
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims({ scope, "cognito:groups": [] }));

    // Act
    const rest = await handler(tokenEvent(bearer(token), path));
    const http = await handler(httpEvent({ authorization: bearer(token) }, path));

    // Assess: explicitly denied, so API Gateway answers 403 even though a glob covers it
    const policy = policyOf(rest);
    expect(evaluatePolicy(policy, `${API_BASE}${path}`)).toBe("deny");
    expect(policy.Statement.find((s) => s.Effect === "Deny")?.Resource).toContain(
      `${API_BASE}${path}`,
    );
    expect(policy.Statement.flatMap((s) => s.Resource).some((r) => r.includes("/*/"))).toBe(false);
    expect(http).toMatchObject({ isAuthorized: false });
  });

  it("still allows the route itself, and the policy covers it for the other routes", async () => {
    const { handler } = makeHandler();
    const token = signJwt(key, accessClaims({ scope: "hello/read items/write" }));

    const fromRefund = policyOf(await handler(tokenEvent(bearer(token), "POST/items/42/refund")));
    const http = await handler(httpEvent({ authorization: bearer(token) }, "POST/items/42"));

    expect(evaluatePolicy(fromRefund, `${API_BASE}POST/items/7`)).toBe("allow");
    expect(evaluatePolicy(fromRefund, `${API_BASE}GET/hello`)).toBe("allow");
    expect(evaluatePolicy(fromRefund, `${API_BASE}DELETE/public`)).toBe("allow");
    expect(http).toMatchObject({ isAuthorized: true });
  });

  it("fails closed and warns, naming the route, when IAM cannot express overlapping rules", async () => {
    // Prepare: both rules name GET /items/1/audit; the first is met, so the rules allow it,
    // but the Deny of the failed rule's GET/items/*/audit (covered by GET/items/*/*) wins in IAM.
    const { handler } = makeHandler({
      policy: {
        routes: [
          { route: "GET /items/{id}/{view}" },
          { route: "GET /items/{id}/audit", groups: ["auditors"] },
        ],
      },
    });
    const token = signJwt(key, accessClaims());

    // Act
    const rest = await handler(tokenEvent(bearer(token), "GET/items/1/audit"));
    const http = await handler(httpEvent({ authorization: bearer(token) }, "GET/items/1/audit"));

    // Assess
    expect(evaluatePolicy(policyOf(rest), `${API_BASE}GET/items/1/audit`)).toBe("deny");
    expect(http).toMatchObject({ isAuthorized: true });
    const warning = output.jsonLines().find((l) => l.level === "WARN");
    expect(warning).toMatchObject({ route: "GET /items/{id}/{view}" });
    expect(output.text()).not.toContain(token.split(".")[1]);
  });

  it("answers a request ARN full of wildcards correctly (no catastrophic matching)", async () => {
    // Prepare: `*a*a...*ab` made the old regex-based matching exponential (3 s at 34)
    const { handler } = makeHandler();
    const path = `GET/hello/${"*a".repeat(200)}b`;
    const token = signJwt(key, accessClaims());

    // Act
    const result = await handler(tokenEvent(bearer(token), path));

    // Assess: the rules name no such route: denied, and GET /hello still allowed
    const policy = policyOf(result);
    expect(evaluatePolicy(policy, `${API_BASE}${path}`)).toBe("deny");
    expect(evaluatePolicy(policy, `${API_BASE}GET/hello`)).toBe("allow");
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
  it("never downloads a bundled JWKS: an unknown kid answers 401 with no fetch, and the bundled key keeps working", async () => {
    // Prepare: the JWKS endpoint would answer with another key set
    const config = testConfig(key);
    const fetcher = countingFetcher(() => ({ keys: [otherKey.jwk] }));
    const verifier = createTokenVerifier(config, { fetcher });
    const handler = createAuthorizerHandler({
      config,
      verifier,
      logger: createLogger("authorizer"),
    });

    // Act
    const flood = Array.from({ length: 20 }, (_, i) =>
      handler(tokenEvent(bearer(signJwt(generateKeyCached(i), accessClaims())))).catch((e) => e),
    );
    const results = await Promise.all(flood);
    const after = await handler(tokenEvent(bearer(signJwt(key, accessClaims()))));

    // Assess
    expect(results.every((r) => r instanceof Error && r.message === "Unauthorized")).toBe(true);
    expect(fetcher.calls).toEqual([]);
    expect(evaluatePolicy(policyOf(after), `${API_BASE}GET/hello`)).toBe("allow");
  });

  it("never downloads a bundled JWKS even through the default fetcher", async () => {
    // Prepare: a real BoundedFetcher whose network would be called
    const config = testConfig(key);
    let calls = 0;
    const verifier = createTokenVerifier(config, {
      fetcher: new BoundedFetcher({
        timeoutMs: 1000,
        cooldownMs: 1,
        fetchImpl: async () => {
          calls++;
          return new Response(JSON.stringify({ keys: [otherKey.jwk] }), { status: 200 });
        },
      }),
    });

    // Act
    const error = await verifier.verify(signJwt(otherKey, accessClaims())).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(calls).toBe(0);
  });

  it("downloads an unbundled pool's JWKS at most once per penalty window for a flood of unknown kids", async () => {
    const config = testConfig(key, { bundledJwks: {} });
    const fetcher = countingFetcher(() => ({ keys: [key.jwk] }));
    const verifier = createTokenVerifier(config, { fetcher });
    await verifier.verify(signJwt(key, accessClaims()));

    const flood = Array.from({ length: 20 }, (_, i) =>
      verifier.verify(signJwt(generateKeyCached(i), accessClaims())).catch((e) => e),
    );
    const results = await Promise.all(flood);

    expect(results.every((r) => r instanceof Error)).toBe(true);
    expect(fetcher.calls.length).toBe(2);
  });

  it("refreshes an unbundled pool on an unknown kid (key rotation) and then verifies", async () => {
    const config = testConfig(key, { bundledJwks: {} });
    const rotated = generateKey("rotated-key");
    let round = 0;
    const fetcher = countingFetcher(() => {
      round++;
      return { keys: round === 1 ? [key.jwk] : [key.jwk, rotated.jwk] };
    });
    const verifier = createTokenVerifier(config, { fetcher });
    const handler = createAuthorizerHandler({
      config,
      verifier,
      logger: createLogger("authorizer"),
    });
    await handler(tokenEvent(bearer(signJwt(key, accessClaims()))));

    const result = await handler(tokenEvent(bearer(signJwt(rotated, accessClaims()))));
    await handler(tokenEvent(bearer(signJwt(rotated, accessClaims()))));

    expect(evaluatePolicy(policyOf(result), `${API_BASE}GET/hello`)).toBe("allow");
    expect(fetcher.calls).toEqual([
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1/.well-known/jwks.json",
      "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TestPool1/.well-known/jwks.json",
    ]);
  });

  it("a failed download at cold start is retried on first use (no cool-down from hydrate)", async () => {
    // Prepare: the network is down at init, back by the first request
    let calls = 0;
    const fetcher = new BoundedFetcher({
      timeoutMs: 1000,
      cooldownMs: 60_000,
      fetchImpl: async () => {
        calls++;
        if (calls === 1) throw new TypeError("fetch failed");
        return new Response(JSON.stringify({ keys: [key.jwk] }), { status: 200 });
      },
    });
    const verifier = createTokenVerifier(testConfig(key, { bundledJwks: {} }), { fetcher });

    // Act
    const hydrated = await verifier.hydrate().then(
      () => "ok",
      (e: unknown) => (e as Error).name,
    );
    const payload = await verifier.verify(signJwt(key, accessClaims()));

    // Assess
    expect(hydrated).toBe("JwksFetchError");
    expect(payload.sub).toBe("8f2e1a3c-1111-4a5b-9c9d-0123456789ab");
    expect(calls).toBe(2);
  });

  it("a failed download on first use still starts the cool-down", async () => {
    let calls = 0;
    const fetcher = new BoundedFetcher({
      timeoutMs: 1000,
      cooldownMs: 60_000,
      fetchImpl: async () => {
        calls++;
        throw new TypeError("fetch failed");
      },
    });
    const verifier = createTokenVerifier(testConfig(key, { bundledJwks: {} }), { fetcher });
    await verifier.hydrate().catch(() => undefined);

    await expect(verifier.verify(signJwt(key, accessClaims()))).rejects.toThrow();
    await expect(verifier.verify(signJwt(key, accessClaims()))).rejects.toThrow(/cooling down/);

    expect(calls).toBe(2);
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
