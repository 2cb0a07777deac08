/**
 * Authorizer benchmark (`npm run bench authorizer`), every ratio measured in this run:
 * - a fresh token (cache off) and a repeated token (verified-token cache on) per request,
 *   over the floor: one raw RS256 `crypto.verify` with a pre-imported key on the same token;
 * - p99 over a mixed valid/invalid load, and the heap after 100k invocations;
 * - cold start of the whole process (node + bundle + first Allow, bundled JWKS) against the
 *   minimal authorizer of aws-jwt-verify's README with its JWKS cached.
 * Bundle size and cold import are measured with every other function's (`bundles.bench.ts`).
 */
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { build } from "esbuild";
import { ESBUILD_PLUGINS } from "../scripts/bundle";
import { parsePolicyConfig } from "../shared/authorizer/config";
import { createAuthorizerHandler } from "../shared/authorizer/handler";
import { createAuthorizerLogger as createLogger } from "../shared/authorizer/log";
import { createTokenVerifier } from "../shared/authorizer/verifier";
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

function fixture(claims: Record<string, unknown> = {}) {
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
    ...claims,
  })}`;
  const signature = sign("RSA-SHA256", Buffer.from(input), privateKey);
  return { publicKey, jwk, input, signature, token: `${input}.${signature.toString("base64url")}` };
}

function benchConfig(jwk: Record<string, unknown>, tokenCacheSize: number) {
  return {
    ...parsePolicyConfig(POLICY),
    localMode: false,
    localIssuer: undefined,
    bundledJwks: { [POOL]: { keys: [jwk] } },
    jwksFetchTimeoutMs: 1500,
    jwksPenaltySeconds: 10,
    maxTokenLength: 8192,
    clockSkewSeconds: 60,
    revocation: undefined,
    awsCallTimeoutMs: 1000,
    awsMaxAttempts: 2,
    tokenCacheSize,
  };
}

function benchHandler(jwk: Record<string, unknown>, tokenCacheSize: number) {
  const config = benchConfig(jwk, tokenCacheSize);
  return createAuthorizerHandler({
    config,
    verifier: createTokenVerifier(config),
    logger: createLogger("authorizer", { POWERTOOLS_LOG_LEVEL: "SILENT" }),
  });
}

async function warmRatio(): Promise<BenchRow[]> {
  const { publicKey, jwk, input, signature, token } = fixture();
  const handler = benchHandler(jwk, 0);
  const cached = benchHandler(jwk, 1000);
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
  const repeats: number[] = [];
  await cached(event);
  for (let i = 0; i < 5; i++) {
    repeats.push(await medianMicros(() => cached(event), { batch: 3000, rounds: 7 }));
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
  const r = median(repeats);
  // The targets are read on paired ratios: the floor and the handler timed back to back, many
  // times, and the median of their ratios taken, so a burst of load from other processes on
  // the machine lands on both halves of a pair, not on one figure.
  const freshPairs: number[] = [];
  const repeatPairs: number[] = [];
  for (let i = 0; i < 40; i++) {
    const fl = await medianMicros(floor, { batch: 60, rounds: 3 });
    freshPairs.push((await medianMicros(() => handler(event), { batch: 60, rounds: 3 })) / fl);
    repeatPairs.push((await medianMicros(() => cached(event), { batch: 600, rounds: 3 })) / fl);
  }
  const ratio = median(freshPairs);
  const repeatRatio = median(repeatPairs);
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
      name: "authorizer: fresh token (cache miss) / raw RS256 verify (median of paired ratios)",
      value: `${ratio.toFixed(2)}x`,
      target: "<= 1.20x",
      ok: ratio <= 1.2,
    },
    { name: "authorizer: repeated token (token cache hit)", value: formatMicros(r) },
    {
      name: "authorizer: repeated token / raw RS256 verify",
      value: `${repeatRatio.toFixed(3)}x`,
      target: "<= 0.10x",
      ok: repeatRatio <= 0.1,
    },
  ];
}

/** p99 over a mixed load (valid, repeated, 403, expired, forged, garbage), heap after 100k. */
async function mixedLoad(): Promise<BenchRow[]> {
  const good = fixture();
  const handler = benchHandler(good.jwk, 1000);
  const other = fixture();
  const now = Math.floor(Date.now() / 1000);
  const sameKey = (claims: Record<string, unknown>) => {
    const f = fixture(claims);
    return f.token;
  };
  void sameKey;
  const [h, p, s] = good.token.split(".") as [string, string, string];
  const tampered = `${h}.${p.slice(0, -2)}AA.${s}`;
  const events = [
    good.token,
    good.token,
    `${h}.${p}.${other.token.split(".")[2]}`,
    tampered,
    "not-a-jwt",
    good.token.replace(/\.[^.]*$/, ".AAAA"),
  ].map((t, i) => ({
    type: "TOKEN",
    authorizationToken: `Bearer ${t}`,
    methodArn: i === 1 ? ARN.replace("GET/hello", "GET/admin/x") : ARN,
  }));
  void now;
  const run = async (n: number, times?: number[]) => {
    for (let i = 0; i < n; i++) {
      const event = events[i % events.length] as (typeof events)[number];
      const start = performance.now();
      await handler(event).catch(() => undefined);
      if (times) times.push(performance.now() - start);
    }
  };
  await run(5000);
  const times: number[] = [];
  await run(20_000, times);
  times.sort((a, b) => a - b);
  const p99 = (times[Math.floor(times.length * 0.99)] ?? Number.NaN) * 1000;
  await run(100_000);
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  const heapMb = process.memoryUsage().heapUsed / 1024 / 1024;
  return [
    { name: "authorizer: p99 over a mixed valid/invalid load", value: formatMicros(p99) },
    {
      name: "authorizer: heap after 100k more invocations (after GC)",
      value: `${heapMb.toFixed(1)} MB`,
    },
  ];
}

const ROOT = resolve(__dirname, "..");

/** The minimal authorizer from aws-jwt-verify's README, with its JWKS cached. */
const MINIMAL = `
import { CognitoJwtVerifier } from "aws-jwt-verify";
const verifier = CognitoJwtVerifier.create({ userPoolId: process.env.POOL, tokenUse: "access", clientId: process.env.CLIENT });
verifier.cacheJwks(JSON.parse(process.env.JWKS));
export const handler = async (event) => {
  try {
    const payload = await verifier.verify(event.authorizationToken.replace(/^Bearer /, ""));
    return { principalId: payload.sub, policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] } };
  } catch {
    throw new Error("Unauthorized");
  }
};
`;

/** Wall time of a fresh node: load `bundle`, answer `event` once, exit. */
function processMs(bundle: string, event: unknown, env: NodeJS.ProcessEnv): number {
  const script =
    "require(process.argv[1]).handler(JSON.parse(process.argv[2])).then(r=>{if(!r.policyDocument)process.exit(3)})";
  const start = performance.now();
  execFileSync(process.execPath, ["-e", script, bundle, JSON.stringify(event)], {
    env,
    stdio: ["ignore", "ignore", "ignore"],
  });
  return performance.now() - start;
}

async function coldStart(): Promise<BenchRow[]> {
  const { jwk, token } = fixture();
  const dir = join(ROOT, ".esbuild", `bench-authorizer-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const options = {
      bundle: true,
      minify: true,
      platform: "node" as const,
      target: "node24",
      format: "cjs" as const,
      external: ["@aws-sdk/*"],
      logLevel: "silent" as const,
    };
    writeFileSync(join(dir, "minimal.mjs"), MINIMAL);
    // The minimal as its README's users bundle it; ours as this suite deploys it (with the
    // deployment's esbuild plugins); and, for reading the ratio, the minimal with those too.
    await build({
      ...options,
      entryPoints: [join(dir, "minimal.mjs")],
      outfile: join(dir, "minimal.js"),
    });
    await build({
      ...options,
      plugins: ESBUILD_PLUGINS,
      entryPoints: [join(dir, "minimal.mjs")],
      outfile: join(dir, "minimal-plugins.js"),
    });
    await build({
      ...options,
      plugins: ESBUILD_PLUGINS,
      entryPoints: [join(ROOT, "functions/authorizer.ts")],
      outfile: join(dir, "ours.js"),
    });
    const event = { type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn: ARN };
    const base = { PATH: process.env.PATH, AWS_REGION: "eu-west-1" };
    const minimalEnv = { ...base, POOL, CLIENT, JWKS: JSON.stringify({ keys: [jwk] }) };
    const oursEnv = {
      ...base,
      AUTHORIZER_CONFIG: JSON.stringify(POLICY),
      AUTHORIZER_JWKS: JSON.stringify({ [POOL]: { keys: [jwk] } }),
    };
    processMs(join(dir, "minimal.js"), event, minimalEnv);
    processMs(join(dir, "ours.js"), event, oursEnv);
    const minimal: number[] = [];
    const ours: number[] = [];
    const minimalPlugins: number[] = [];
    const pairs: number[] = [];
    // Interleaved, order alternating within each pair, and read as the median of the pairs'
    // ratios as well as the ratio of the medians: both must meet the target.
    for (let i = 0; i < 21; i++) {
      const first = i % 2 === 0;
      const a = first ? processMs(join(dir, "minimal.js"), event, minimalEnv) : 0;
      const b = processMs(join(dir, "ours.js"), event, oursEnv);
      const c = first ? a : processMs(join(dir, "minimal.js"), event, minimalEnv);
      minimal.push(c);
      ours.push(b);
      pairs.push(b / c);
      minimalPlugins.push(processMs(join(dir, "minimal-plugins.js"), event, minimalEnv));
    }
    const m = median(minimal);
    const o = median(ours);
    const worst = Math.max(o / m, median(pairs));
    return [
      {
        name: "authorizer: cold process, minimal aws-jwt-verify authorizer",
        value: `${m.toFixed(1)} ms`,
      },
      {
        name: "authorizer: cold process, this authorizer (first Allow)",
        value: `${o.toFixed(1)} ms`,
      },
      {
        name: "authorizer: cold process, minimal built with this suite's esbuild plugins",
        value: `${median(minimalPlugins).toFixed(1)} ms`,
      },
      {
        name: "authorizer: cold process, this / minimal (ratio of medians, median of pairs)",
        value: `${(o / m).toFixed(2)}x, ${median(pairs).toFixed(2)}x`,
        target: "<= 1.00x",
        ok: worst <= 1,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The authorizer's figures. */
export async function run(): Promise<BenchRow[]> {
  return [...(await warmRatio()), ...(await mixedLoad()), ...(await coldStart())];
}
