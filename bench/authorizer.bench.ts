/**
 * Authorizer benchmark (`npm run bench authorizer`):
 * - warm handler time per request over the floor: one raw RS256 `crypto.verify` with a
 *   pre-imported key on the same token, both measured in this run (a ratio, not a speed);
 * - its bundle size and cold import time are measured with every other function's, in
 *   `bundles.bench.ts` (target < 100 KB there).
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { parsePolicyConfig } from "../shared/authorizer/config";
import { createAuthorizerHandler } from "../shared/authorizer/handler";
import { createTokenVerifier } from "../shared/authorizer/verifier";
import { createLogger } from "../shared/logger";
import { type BenchRow, formatMicros, median, medianMicros } from "./lib";

const POOL = "eu-west-1_BenchPool1";
const CLIENT = "benchclient";
const ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/hello";
const POLICY = {
  userPools: [{ userPoolId: POOL, clientIds: [CLIENT] }],
  contextClaims: ["tenant_id"],
  routes: [
    { route: "GET /hello", scopes: ["hello/read"] },
    { route: "GET /admin/*", groups: ["admins"] },
    { route: "POST /items/{id}", scopes: ["items/write"] },
    { route: "ANY /public" },
  ],
};

function fixture() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "bench", alg: "RS256", use: "sig" };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "RS256", kid: "bench" })}.${b64({
    sub: "bench-sub",
    iss: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`,
    client_id: CLIENT,
    token_use: "access",
    scope: "hello/read",
    "cognito:groups": ["members"],
    username: "bench",
    tenant_id: "t1",
    iat: now,
    exp: now + 3600,
  })}`;
  const signature = sign("RSA-SHA256", Buffer.from(input), privateKey);
  return { publicKey, jwk, input, signature, token: `${input}.${signature.toString("base64url")}` };
}

async function warmRatio(): Promise<BenchRow[]> {
  const { publicKey, jwk, input, signature, token } = fixture();
  const config = {
    ...parsePolicyConfig(POLICY),
    localMode: false,
    localIssuer: undefined,
    bundledJwks: { [POOL]: { keys: [jwk] } },
    jwksFetchTimeoutMs: 1500,
    jwksPenaltySeconds: 10,
    maxTokenLength: 8192,
    clockSkewSeconds: 60,
    tokenCacheSize: 0,
  };
  const handler = createAuthorizerHandler({
    config,
    verifier: createTokenVerifier(config),
    logger: createLogger("authorizer"),
  });
  const event = { type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: ARN };
  const result = await handler(event);
  if (!("policyDocument" in result)) throw new Error("bench token was not authorized");

  // The library alone, as its README sets it up (one pool, JWKS cached): the part of the
  // handler's time that is aws-jwt-verify's, to read the ratio against.
  const library = CognitoJwtVerifier.create({
    userPoolId: POOL,
    clientId: CLIENT,
    tokenUse: "access",
  });
  library.cacheJwks({ keys: [jwk] } as unknown as Parameters<typeof library.cacheJwks>[0]);
  await library.verify(token);

  const data = Buffer.from(input);
  const floor = () => verify("RSA-SHA256", data, publicKey, signature);
  // Interleave the measurements so drift (CPU frequency, GC, other load) hits all alike.
  const floors: number[] = [];
  const libs: number[] = [];
  const syncs: number[] = [];
  const handlers: number[] = [];
  for (let i = 0; i < 5; i++) {
    floors.push(await medianMicros(floor, { batch: 300, rounds: 7 }));
    libs.push(await medianMicros(() => library.verify(token), { batch: 300, rounds: 7 }));
    // verifySync is what the handler's warm path calls (JWKS cached).
    syncs.push(await medianMicros(() => library.verifySync(token), { batch: 300, rounds: 7 }));
    handlers.push(await medianMicros(() => handler(event), { batch: 300, rounds: 7 }));
  }
  const f = median(floors);
  const l = median(libs);
  const v = median(syncs);
  const h = median(handlers);
  const ratio = h / f;
  return [
    { name: "authorizer: raw RS256 crypto.verify (floor)", value: formatMicros(f) },
    { name: "authorizer: aws-jwt-verify verify() alone", value: formatMicros(l) },
    { name: "authorizer: aws-jwt-verify alone / floor", value: `${(l / f).toFixed(2)}x` },
    {
      name: "authorizer: aws-jwt-verify verifySync() alone / floor",
      value: `${(v / f).toFixed(2)}x`,
    },
    { name: "authorizer: handler per request (warm, TOKEN, Allow)", value: formatMicros(h) },
    {
      name: "authorizer: handler / aws-jwt-verify verifySync() alone",
      value: `${(h / v).toFixed(2)}x`,
    },
    { name: "authorizer: handler / aws-jwt-verify alone", value: `${(h / l).toFixed(2)}x` },
    {
      name: "authorizer: handler / raw RS256 verify (warm)",
      value: `${ratio.toFixed(2)}x`,
      target: "<= 1.50x",
      ok: ratio <= 1.5,
    },
  ];
}

/** The authorizer's figures. */
export async function run(): Promise<BenchRow[]> {
  return warmRatio();
}
