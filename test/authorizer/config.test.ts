/**
 * Configuration parsing (cold start) and route compilation.
 */

import { loadAuthorizerConfig } from "../../shared/authorizer/config";
import { buildPolicy, parseExecuteApiArn, resourceMatches } from "../../shared/authorizer/policy";
import { compileRoute, type Principal } from "../../shared/authorizer/routes";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
import { ConfigError } from "../../shared/errors";

const POLICY = {
  userPools: [{ userPoolId: "eu-west-1_AbC123", clientIds: ["client1"] }],
  contextClaims: ["tenant_id", { claim: "custom:plan", as: "plan" }],
  routes: [{ route: "GET /hello", scopes: ["hello/read"] }],
};

const env = (extra: Record<string, string> = {}) => ({
  AUTHORIZER_CONFIG: JSON.stringify(POLICY),
  ...extra,
});

describe("loadAuthorizerConfig", () => {
  it("parses a valid config with its defaults", () => {
    const config = loadAuthorizerConfig(env());
    expect(config).toMatchObject({
      tokenUse: "access",
      userPools: [{ userPoolId: "eu-west-1_AbC123", clientIds: ["client1"] }],
      contextClaims: [
        { claim: "tenant_id", as: "tenant_id" },
        { claim: "custom:plan", as: "plan" },
      ],
      routes: [
        { route: "GET /hello", resources: ["GET/hello"], scopes: ["hello/read"], groups: [] },
      ],
      localMode: false,
      localIssuer: undefined,
      bundledJwks: {},
      jwksFetchTimeoutMs: 1500,
      jwksPenaltySeconds: 10,
      maxTokenLength: 8192,
    });
  });

  it.each([
    ["missing", {}, "AUTHORIZER_CONFIG is required"],
    ["not JSON", { AUTHORIZER_CONFIG: "{" }, "AUTHORIZER_CONFIG is not valid JSON"],
    [
      "no pools",
      { AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY, userPools: [] }) },
      "AUTHORIZER_USER_POOL_ID is required",
    ],
    [
      "a stack pool without client ids",
      { ...env(), AUTHORIZER_USER_POOL_ID: "eu-west-1_Stack1" },
      "AUTHORIZER_CLIENT_IDS",
    ],
    [
      "client ids without a pool",
      { ...env(), AUTHORIZER_CLIENT_IDS: "a" },
      "AUTHORIZER_USER_POOL_ID",
    ],
    [
      "bad pool id",
      {
        AUTHORIZER_CONFIG: JSON.stringify({
          ...POLICY,
          userPools: [{ userPoolId: "local_1", clientIds: ["a"] }],
        }),
      },
      'AUTHORIZER_CONFIG.userPools[0].userPoolId: expected a user pool id like "eu-west-1_AbCdEf123", got "local_1"',
    ],
    [
      "no client ids",
      {
        AUTHORIZER_CONFIG: JSON.stringify({
          ...POLICY,
          userPools: [{ userPoolId: "eu-west-1_A", clientIds: [] }],
        }),
      },
      "AUTHORIZER_CONFIG.userPools[0].clientIds: expected a non-empty array, got (an array)",
    ],
    [
      "bad tokenUse",
      { AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY, tokenUse: "refresh" }) },
      'AUTHORIZER_CONFIG.tokenUse: expected one of "access", "id", "any", got "refresh"',
    ],
    [
      "unknown key",
      { AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY, rules: [] }) },
      "AUTHORIZER_CONFIG.rules: unknown key (allowed: userPools, tokenUse, contextClaims, routes)",
    ],
    [
      "no routes",
      { AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY, routes: [] }) },
      "AUTHORIZER_CONFIG.routes: expected a non-empty array",
    ],
    [
      "a client id that is not one, in the second pool",
      {
        AUTHORIZER_CONFIG: JSON.stringify({
          ...POLICY,
          userPools: [...POLICY.userPools, { userPoolId: "eu-west-1_B", clientIds: ["a", 42] }],
        }),
      },
      "Invalid configuration: AUTHORIZER_CONFIG.userPools[1].clientIds[1]: expected an app client id, got (a number)",
    ],
    [
      "a long value, quoted and cut",
      { AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY, tokenUse: "x".repeat(500) }) },
      `AUTHORIZER_CONFIG.tokenUse: expected one of "access", "id", "any", got "${"x".repeat(64)}"... (500 characters)`,
    ],
    [
      "bad route",
      { AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY, routes: [{ route: "FETCH /x" }] }) },
      'AUTHORIZER_CONFIG.routes[0].route: has an unknown method "FETCH"',
    ],
    [
      "wildcard inside a literal",
      { AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY, routes: [{ route: "GET /a*b" }] }) },
      "invalid path segment",
    ],
    [
      "reserved context key",
      {
        AUTHORIZER_CONFIG: JSON.stringify({
          ...POLICY,
          contextClaims: [{ claim: "x", as: "sub" }],
        }),
      },
      'AUTHORIZER_CONFIG.contextClaims[0]: would overwrite the context key "sub"',
    ],
    [
      "bad JWKS",
      { ...env(), AUTHORIZER_JWKS: '{"eu-west-1_AbC123": {"keys": 1}}' },
      'AUTHORIZER_JWKS["eu-west-1_AbC123"].keys: expected an array, got (a number)',
    ],
    [
      "missing JWKS file",
      { ...env(), AUTHORIZER_JWKS_FILE: "/nope/jwks.json" },
      "AUTHORIZER_JWKS_FILE",
    ],
    ["timeout out of range", { ...env(), JWKS_FETCH_TIMEOUT_MS: "0" }, "JWKS_FETCH_TIMEOUT_MS"],
  ])("rejects %s, naming the variable", (_name, vars, message) => {
    const act = () => loadAuthorizerConfig(vars as Record<string, string>);
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it("adds the stack's pool from AUTHORIZER_USER_POOL_ID and AUTHORIZER_CLIENT_IDS", () => {
    const config = loadAuthorizerConfig({
      AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY, userPools: undefined }),
      AUTHORIZER_USER_POOL_ID: "eu-west-1_Stack1",
      AUTHORIZER_CLIENT_IDS: "c1, c2",
    });
    expect(config.userPools).toEqual([
      { userPoolId: "eu-west-1_Stack1", clientIds: ["c1", "c2"], replicated: false },
    ]);
  });

  it("merges the client ids of a pool given both in AUTHORIZER_CONFIG and AUTHORIZER_USER_POOL_ID", () => {
    // Prepare: the same pool twice (CognitoJwtVerifier.create throws on a repeated issuer)
    const vars = {
      AUTHORIZER_CONFIG: JSON.stringify({
        ...POLICY,
        userPools: [
          { userPoolId: "eu-west-1_AbC123", clientIds: ["client1"] },
          { userPoolId: "eu-west-1_AbC123", clientIds: ["client2", "client1"] },
        ],
      }),
      AUTHORIZER_USER_POOL_ID: "eu-west-1_AbC123",
      AUTHORIZER_CLIENT_IDS: "client3,client1",
      AUTHORIZER_JWKS: JSON.stringify({ "eu-west-1_AbC123": { keys: [] } }),
    };

    // Act
    const config = loadAuthorizerConfig(vars);

    // Assess: one pool with every client once, and a verifier that builds
    expect(config.userPools).toEqual([
      {
        userPoolId: "eu-west-1_AbC123",
        clientIds: ["client1", "client2", "client3"],
        replicated: false,
      },
    ]);
    expect(() => createTokenVerifier(config)).not.toThrow();
  });

  it("treats unresolved CloudFormation references (serverless-offline) as unset in local mode only", () => {
    const vars = {
      AUTHORIZER_CONFIG: JSON.stringify({ ...POLICY }),
      AUTHORIZER_USER_POOL_ID: "[object Object]",
      AUTHORIZER_CLIENT_IDS: "[object Object]",
    };
    expect(loadAuthorizerConfig({ ...vars, IS_OFFLINE: "true" }).userPools).toEqual(
      POLICY.userPools.map((pool) => ({ ...pool, replicated: false })),
    );
    expect(() => loadAuthorizerConfig(vars)).toThrow("AUTHORIZER_");
  });

  it("allows no Cognito pool only with a local issuer in local mode", () => {
    const config = loadAuthorizerConfig({
      AUTHORIZER_CONFIG: JSON.stringify({ routes: POLICY.routes }),
      LOCAL_MODE: "true",
      JWT_LOCAL_ISSUER_URL: "http://localhost:9229/local_1Q5EIHIH",
      JWT_LOCAL_CLIENT_IDS: "c",
    });
    expect(config.userPools).toEqual([]);
    expect(() =>
      loadAuthorizerConfig({
        AUTHORIZER_CONFIG: JSON.stringify({ routes: POLICY.routes }),
        JWT_LOCAL_ISSUER_URL: "http://localhost:9229/local_1Q5EIHIH",
        JWT_LOCAL_CLIENT_IDS: "c",
      }),
    ).toThrow("AUTHORIZER_USER_POOL_ID");
  });

  it("honours JWT_LOCAL_ISSUER_URL only in local mode, and then requires JWT_LOCAL_CLIENT_IDS", () => {
    const local = { JWT_LOCAL_ISSUER_URL: "http://localhost:9229/local_1Q5EIHIH" };
    expect(loadAuthorizerConfig(env(local)).localIssuer).toBeUndefined();
    expect(
      loadAuthorizerConfig(env({ ...local, LOCAL_MODE: "false", IS_OFFLINE: "true" })).localIssuer,
    ).toBeUndefined();
    expect(() => loadAuthorizerConfig(env({ ...local, IS_OFFLINE: "true" }))).toThrow(
      "JWT_LOCAL_CLIENT_IDS",
    );
    expect(
      loadAuthorizerConfig(env({ ...local, IS_OFFLINE: "true", JWT_LOCAL_CLIENT_IDS: "a, b" }))
        .localIssuer,
    ).toEqual({ issuer: "http://localhost:9229/local_1Q5EIHIH", clientIds: ["a", "b"] });
    expect(() =>
      loadAuthorizerConfig(
        env({ JWT_LOCAL_ISSUER_URL: "localhost/x", LOCAL_MODE: "true", JWT_LOCAL_CLIENT_IDS: "a" }),
      ),
    ).toThrow("JWT_LOCAL_ISSUER_URL");
  });
});

describe("routes and policy", () => {
  const EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
  it.each([
    ["GET /hello", ["GET/hello"]],
    ["get /users/{id}", ["GET/users/*"]],
    ["ANY /files/{proxy+}", EVERY_METHOD.map((m) => `${m}/files/*`)],
    ["* /admin/*", EVERY_METHOD.map((m) => `${m}/admin/*`)],
    ["GET /", ["GET/"]],
  ])("compiles %s to %j", (route, resources) => {
    expect(compileRoute(route, { scopes: [], groups: [] }).resources).toEqual(resources);
  });

  it("rejects a greedy parameter before the last segment", () => {
    expect(() => compileRoute("GET /{p+}/x", { scopes: [], groups: [] })).toThrow("greedy");
  });

  it("parses execute-api ARNs and refuses others", () => {
    expect(
      parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/a/b"),
    ).toMatchObject({
      base: "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/",
    });
    expect(
      parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/"),
    ).toBeDefined();
    expect(parseExecuteApiArn("arn:aws:lambda:eu-west-1:123456789012:function:x")).toBeUndefined();
    expect(
      parseExecuteApiArn("arn:aws:execute-api:eu-west-1:123456789012:abc123/*/GET/x"),
    ).toBeUndefined();
    expect(parseExecuteApiArn(undefined)).toBeUndefined();
  });

  it("matches IAM wildcards: * spans /, ? is one character, the rest is literal", () => {
    expect(resourceMatches("a/*", "a/b/c")).toBe(true);
    expect(resourceMatches("a/?", "a/b")).toBe(true);
    expect(resourceMatches("a/?", "a/bc")).toBe(false);
    expect(resourceMatches("a.b", "axb")).toBe(false);
    expect(resourceMatches("GET/hello", "GET/hello/x")).toBe(false);
  });

  it("explicitly denies the routes a principal fails, which wins over a broader Allow", () => {
    // Prepare: anyone may read an item; only admins its audit trail
    const routes = [
      compileRoute("GET /items/{id}", { scopes: [], groups: [] }),
      compileRoute("GET /items/{id}/audit", { scopes: [], groups: ["admins"] }),
    ];
    const api = parseExecuteApiArn(
      "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/1",
    );
    const principal: Principal = {
      sub: "s",
      username: "u",
      clientId: "c",
      tokenUse: "access",
      scopes: [],
      groups: [],
      claims: {},
    };

    // Act
    const policy = buildPolicy(
      principal,
      routes,
      api as NonNullable<typeof api>,
      "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/1",
    );

    // Assess
    expect(policy.Statement).toEqual([
      {
        Action: "execute-api:Invoke",
        Effect: "Allow",
        Resource: ["arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/*"],
      },
      {
        Action: "execute-api:Invoke",
        Effect: "Deny",
        Resource: ["arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items/*/audit"],
      },
    ]);
  });
});
