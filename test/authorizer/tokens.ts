/**
 * Test helpers: real RS256 JWTs signed with generated keys (node:crypto), the
 * matching JWKS, and a config whose JWKS is preloaded (no network).
 */
import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import type { Fetcher } from "aws-jwt-verify/https";
import { type AuthorizerConfig, parsePolicyConfig } from "../../shared/authorizer/config";

export const REGION = "eu-west-1";
export const POOL_ID = "eu-west-1_TestPool1";
export const OTHER_POOL_ID = "eu-west-1_OtherPool";
export const CLIENT_ID = "client1abc";
export const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`;
export const KID = "test-key-1";
export const API_BASE = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/dev/";

/** A generated RSA key pair with its public JWK. */
export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Record<string, unknown>;
  readonly publicPem: string;
}

/** Generate a 2048-bit RSA key (as Cognito uses) with `kid`. */
export function generateKey(kid = KID): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  const publicPem = publicKey.export({ format: "pem", type: "spki" }).toString();
  return { kid, privateKey, publicKey, jwk, publicPem };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Sign `payload` with RS256 (header overridable). */
export function signJwt(
  key: TestKey,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const input = `${b64({ alg: "RS256", typ: "JWT", kid: key.kid, ...header })}.${b64(payload)}`;
  const signature = sign("RSA-SHA256", Buffer.from(input), key.privateKey).toString("base64url");
  return `${input}.${signature}`;
}

/** An HS256 token whose HMAC secret is the public key PEM (the classic key-confusion attack). */
export function signHs256WithPublicKey(key: TestKey, payload: Record<string, unknown>): string {
  const input = `${b64({ alg: "HS256", typ: "JWT", kid: key.kid })}.${b64(payload)}`;
  const signature = createHmac("sha256", key.publicPem).update(input).digest("base64url");
  return `${input}.${signature}`;
}

/** An unsigned token (`alg: none`). */
export function unsignedJwt(key: TestKey, payload: Record<string, unknown>): string {
  return `${b64({ alg: "none", typ: "JWT", kid: key.kid })}.${b64(payload)}.`;
}

const now = (): number => Math.floor(Date.now() / 1000);

/** Claims of a valid Cognito access token. */
export function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: "8f2e1a3c-1111-4a5b-9c9d-0123456789ab",
    "cognito:groups": ["members"],
    iss: ISSUER,
    client_id: CLIENT_ID,
    origin_jti: "origin-1",
    event_id: "event-1",
    token_use: "access",
    scope: "hello/read",
    auth_time: now() - 60,
    exp: now() + 3600,
    iat: now() - 60,
    jti: "jti-1",
    username: "jane",
    tenant_id: "tenant-42",
    ...overrides,
  };
}

/** Claims of a valid Cognito ID token. */
export function idClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: "8f2e1a3c-1111-4a5b-9c9d-0123456789ab",
    "cognito:groups": ["admins"],
    iss: ISSUER,
    "cognito:username": "jane",
    aud: CLIENT_ID,
    event_id: "event-1",
    token_use: "id",
    auth_time: now() - 60,
    exp: now() + 3600,
    iat: now() - 60,
    email: "jane@example.com",
    ...overrides,
  };
}

/** The route rules the tests use. */
export const TEST_ROUTES = [
  { route: "GET /hello", scopes: ["hello/read"] },
  { route: "GET /admin/*", groups: ["admins"] },
  { route: "POST /items/{id}", scopes: ["items/write"] },
  { route: "ANY /public" },
];

/** A full config for tests: one pool, preloaded JWKS, the test routes. */
export function testConfig(
  key: TestKey,
  overrides: Partial<AuthorizerConfig> & { policy?: Record<string, unknown> } = {},
): AuthorizerConfig {
  const { policy, ...rest } = overrides;
  return {
    ...parsePolicyConfig({
      userPools: [{ userPoolId: POOL_ID, clientIds: [CLIENT_ID] }],
      contextClaims: ["tenant_id"],
      routes: TEST_ROUTES,
      ...policy,
    }),
    localMode: false,
    localIssuer: undefined,
    bundledJwks: { [POOL_ID]: { keys: [key.jwk] } },
    jwksFetchTimeoutMs: 1000,
    jwksPenaltySeconds: 10,
    maxTokenLength: 8192,
    clockSkewSeconds: 60,
    revocation: undefined,
    awsCallTimeoutMs: 1000,
    awsMaxAttempts: 2,
    tokenCacheSize: 0,
    ...rest,
  };
}

/** A fetcher that never reaches a network and counts its calls. */
export function countingFetcher(respond?: (uri: string) => unknown): Fetcher & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async fetch(uri: string): Promise<ArrayBuffer> {
      calls.push(uri);
      if (!respond) throw new Error("network disabled in tests");
      const bytes = new TextEncoder().encode(JSON.stringify(respond(uri)));
      return bytes.buffer as ArrayBuffer;
    },
  };
}

/** REST TOKEN event. */
export function tokenEvent(
  authorizationToken: unknown,
  path = "GET/hello",
): Record<string, unknown> {
  return { type: "TOKEN", authorizationToken, methodArn: `${API_BASE}${path}` };
}

/** REST REQUEST event. */
export function requestEvent(
  headers: Record<string, unknown> | null,
  path = "GET/hello",
): Record<string, unknown> {
  return {
    type: "REQUEST",
    methodArn: `${API_BASE}${path}`,
    resource: "/hello",
    path: "/hello",
    httpMethod: "GET",
    headers,
    multiValueHeaders: null,
    requestContext: { requestId: "req-1" },
  };
}

/** HTTP API payload 2.0 event. */
export function httpEvent(
  headers: Record<string, string>,
  path = "GET/hello",
): Record<string, unknown> {
  return {
    version: "2.0",
    type: "REQUEST",
    routeArn: `${API_BASE}${path}`,
    identitySource: Object.values(headers),
    routeKey: "GET /hello",
    rawPath: "/hello",
    headers,
    requestContext: { requestId: "req-2" },
  };
}
