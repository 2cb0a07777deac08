/**
 * Whole-process cold starts of the deployment bundles, as Lambda pays them: start node, require
 * the bundle, handle the function's main sample events, exit. Deployed mode (no local stand-ins),
 * every AWS endpoint pointed at a stub on loopback that answers at once, so no figure waits on a
 * network. Used by the cold-start benchmark and the test that pins which SDK clients each bundle
 * loads at cold start.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { localEnvironment } from "./local-env";
import {
  type ColdStartPath,
  entryOf,
  eventFilesOf,
  FUNCTION_NAMES,
  type FunctionName,
  NON_EVENT_FILES,
  splitHandler,
} from "./registry";

const ROOT = resolve(__dirname, "..");
const RUNNER = join(__dirname, "cold-start-runner.cjs");
const RESPONSES: Readonly<Record<string, unknown>> = JSON.parse(
  readFileSync(join(__dirname, "cold-start-responses.json"), "utf8"),
);

/** One measured path: a function and the sample events its cold process handles. */
export interface ColdStartCase {
  readonly fn: FunctionName;
  /** Files under events/, handled in order by one process. */
  readonly events: readonly string[];
  /** True when these events make no AWS call: the process must load no SDK client at all. */
  readonly awsFree: boolean;
}

/** The main paths of `fn` (its registry `coldStart.paths`, by default its first sample event). */
export function pathsOf(fn: FunctionName): readonly ColdStartPath[] {
  const entry = entryOf(fn);
  if (entry.coldStart?.paths !== undefined) return entry.coldStart.paths;
  const files = readdirSync(join(ROOT, "events")).filter(
    (f) => f.endsWith(".json") && !NON_EVENT_FILES.includes(f),
  );
  const [first] = eventFilesOf(fn, files).sort();
  return first === undefined ? [] : [{ events: [first], awsFree: entry.sdkModules.length === 0 }];
}

/** Every function's main paths, in registry order. */
export function coldStartCases(): ColdStartCase[] {
  return FUNCTION_NAMES.flatMap((fn) => pathsOf(fn).map((path) => ({ fn, ...path })));
}

/** The SDK modules `fn`'s bundle loads at cold start: its `sdkModules` but the lazy ones. */
export function sdkModulesAtColdStart(fn: FunctionName): string[] {
  const { sdkModules, coldStart } = entryOf(fn);
  const lazy = new Set(coldStart?.lazySdkModules ?? []);
  return sdkModules.filter((m) => !lazy.has(m)).sort();
}

/** The AWS operation a request to the stub names. */
function operationOf(req: IncomingMessage): string {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") return target.slice(target.lastIndexOf(".") + 1);
  // SES v2 is REST: POST /v2/email/outbound-emails is SendEmail.
  if (req.url?.startsWith("/v2/email/outbound-emails")) return "SendEmail";
  return "";
}

/**
 * The canned answer of `operation` (cold-start-responses.json, shared with the stubbed SDK of
 * cold-start-runner.cjs): the table's own (`"<Operation> <TableName>"`, e.g. the legacy user
 * user migration reads) before the operation's.
 */
function cannedAnswer(operation: string, tableName: unknown): unknown {
  const own = typeof tableName === "string" ? RESPONSES[`${operation} ${tableName}`] : undefined;
  return own ?? RESPONSES[operation];
}

/** The `TableName` of a DynamoDB request body, if it names one. */
function tableNameOf(body: string): unknown {
  try {
    return (JSON.parse(body) as { TableName?: unknown } | null)?.TableName;
  } catch {
    return undefined;
  }
}

/** A loopback HTTP server answering every AWS call of the main events at once. */
export async function startAwsStub(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const answer = cannedAnswer(operationOf(req), tableNameOf(body));
      if (answer === undefined) {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ __type: "ValidationException", message: "no canned answer" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const POOL = "eu-west-1_ColdStart1";
const CLIENT = "coldstartclient";

/**
 * The authorizer's main event with a token it accepts in deployed mode: signed by a key made
 * here and given to it as the stack pool's bundled JWKS (no JWKS download). Returns the event
 * file written to `dir` and the variables the authorizer needs.
 */
function authorizerFixture(dir: string): { event: string; env: Record<string, string> } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "cold", alg: "RS256", use: "sig" };
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "RS256", kid: "cold" })}.${b64({
    sub: "cold-start-sub",
    iss: `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`,
    client_id: CLIENT,
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    "cognito:groups": ["members"],
    username: "cold",
    iat: now,
    exp: now + 3600,
  })}`;
  const token = `${input}.${sign("RSA-SHA256", Buffer.from(input), privateKey).toString("base64url")}`;
  const sample = JSON.parse(readFileSync(join(ROOT, "events", "authorizer-token.json"), "utf8"));
  const event = join(dir, "authorizer-token.json");
  writeFileSync(event, JSON.stringify({ ...sample, authorizationToken: `Bearer ${token}` }));
  return {
    event,
    env: {
      AUTHORIZER_USER_POOL_ID: POOL,
      AUTHORIZER_CLIENT_IDS: CLIENT,
      AUTHORIZER_JWKS: JSON.stringify({ [POOL]: { keys: [jwk] } }),
    },
  };
}

// CloudFormation values serverless.yml gives the custom email sender in AWS (the pool's key, the
// code-hash secret), stood in for so that its cold start builds what it builds there.
const CUSTOM_EMAIL_SENDER_ENV = {
  CUSTOM_EMAIL_SENDER_KMS_KEY_ARN:
    "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  CUSTOM_EMAIL_SENDER_CODE_HASH_KEY: "cold-start-code-hash-key-not-secret-0123456789",
};

// The CloudFormation value serverless.yml gives the revocation writer in AWS (the stack's pool).
const REVOCATION_WRITER_ENV = { REVOCATION_USER_POOL_IDS: "eu-west-1_AbCdEf123" };

/** What one cold process reports. */
export interface ColdRun {
  /** Wall-clock milliseconds from spawn to exit. */
  readonly ms: number;
  /** CPU milliseconds the whole process used (user + system, every thread), node's start included. */
  readonly cpuMs: number;
  /** The process's peak resident memory in MB (what the function's memory size must hold). */
  readonly maxRssMb: number;
  /** AWS SDK packages the bundle required while it was required (its cold start). */
  readonly coldStart: readonly string[];
  /** ... and by the time its events were handled. */
  readonly afterEvents: readonly string[];
  readonly outcomes: readonly {
    event: string;
    ok: boolean;
    errorType?: string;
    errorMessage?: string;
  }[];
}

/** A prepared case: the bundle, its events and its deployed-mode environment. */
export interface PreparedCase extends ColdStartCase {
  readonly bundle: string;
  readonly eventFiles: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The environment of `fn` in deployed mode (serverless.yml's `dev` stage, LOCAL_MODE off), every
 * AWS endpoint at `endpoint`, dummy credentials, and the event files of `events` (the
 * authorizer's token made here, in `dir`).
 */
export function prepareCase(
  c: ColdStartCase,
  bundle: string,
  endpoint: string,
  dir: string,
): PreparedCase {
  const extra =
    c.fn === "authorizer"
      ? authorizerFixture(dir)
      : c.fn === "customEmailSender"
        ? { event: undefined, env: CUSTOM_EMAIL_SENDER_ENV }
        : c.fn === "revocationWriter"
          ? { event: undefined, env: REVOCATION_WRITER_ENV }
          : { event: undefined, env: undefined };
  const eventFiles = c.events.map((e) =>
    c.fn === "authorizer" && e === "authorizer-token.json" && extra.event
      ? extra.event
      : resolve(ROOT, "events", e),
  );
  return {
    ...c,
    bundle,
    eventFiles,
    env: {
      PATH: process.env.PATH,
      ...localEnvironment(ROOT, c.fn),
      ...extra.env,
      LOCAL_MODE: "false",
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIDCOLDSTART",
      AWS_SECRET_ACCESS_KEY: "cold-start-not-secret",
      AWS_ENDPOINT_URL: endpoint,
      // The runtime's SDK on Node 20 warns about its Node version; Lambda's does not.
      AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: "1",
    },
  };
}

/** Run one cold process of `p` with `node`; with `stubSdk`, the SDK clients are stand-ins. */
export function runCold(node: string, p: PreparedCase, stubSdk: boolean): Promise<ColdRun> {
  const args = [
    RUNNER,
    ...(stubSdk ? ["--stub-sdk"] : []),
    p.bundle,
    splitHandler(entryOf(p.fn).handler).exportName,
    p.fn,
    ...p.eventFiles,
  ];
  const start = process.hrtime.bigint();
  return new Promise((done, fail) => {
    execFile(node, args, { cwd: ROOT, env: p.env }, (error, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (error) {
        fail(new Error(`${p.fn} cold process failed: ${stderr || error.message}`));
        return;
      }
      done({
        ms,
        ...(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as Omit<ColdRun, "ms">),
      });
    });
  });
}

/**
 * A bare `node -e` that requires `modules` (none: the floor of any process) and exits: its
 * wall-clock and whole-process CPU milliseconds, as {@link runCold} reports them.
 */
export function runBare(
  node: string,
  modules: readonly string[] = [],
): Promise<{ ms: number; cpuMs: number }> {
  const script =
    "for(const m of JSON.parse(process.argv[1]))require(m);" +
    "const u=process.resourceUsage();process.stdout.write(String((u.userCPUTime+u.systemCPUTime)/1000))";
  const start = process.hrtime.bigint();
  return new Promise((done, fail) => {
    execFile(
      node,
      ["-e", script, JSON.stringify(modules)],
      { cwd: ROOT, env: { PATH: process.env.PATH, AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: "1" } },
      (error, stdout) => {
        if (error) fail(error);
        else done({ ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: Number(stdout) });
      },
    );
  });
}
