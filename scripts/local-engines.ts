/**
 * The local engines, each started on a loopback port and stopped again: dynalite (in
 * process), cognito-local and serverless-offline (child processes in their own process
 * groups). They know nothing of the pool or the tables: scripts/local-stack.ts wires them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
/** Every engine listens on this address only. */
export const HOST = "127.0.0.1";
/** Dummy credentials: the local engines accept any, and the SDK refuses to sign without some. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** A started engine. */
export interface Engine {
  readonly name: string;
  /** Resolves once the engine answers HTTP; throws if it exits first or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void>;
  /** Stop it (and anything it spawned). Safe to call twice. */
  stop(): Promise<void>;
}

/** Where a line printed by an engine goes (prefixed with the engine's name). */
export type OutputSink = (line: string) => void;

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, HOST, () => ok());
  });
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Whether `port` can be listened on at the loopback address right now. */
export async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((ok) => {
    server.once("error", () => ok(false));
    server.listen(port, HOST, () => ok(true));
  });
  if (free) await new Promise<void>((ok) => server.close(() => ok()));
  return free;
}

/** Resolve after `ms`. */
export async function sleep(ms: number): Promise<void> {
  await new Promise((ok) => setTimeout(ok, ms));
}

/** Resolve once `url` answers HTTP at all (any status), or throw after `timeoutMs`. */
async function waitForHttp(
  url: string,
  timeoutMs: number,
  alive: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead !== undefined) throw new Error(dead);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
      await sleep(200);
    }
  }
}

/** True when every one of `urls` answers HTTP (any status) within a second. */
export async function allAnswer(urls: readonly string[]): Promise<boolean> {
  const answers = await Promise.all(
    urls.map((url) =>
      fetch(url, { signal: AbortSignal.timeout(1000) }).then(
        () => true,
        () => false,
      ),
    ),
  );
  return answers.every(Boolean);
}

/** Whether `promise` settles within `ms` (the timer is cleared either way). */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((ok) => {
    timer = setTimeout(() => ok(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Node child process as an engine answering at `urls`. */
function startChild(
  name: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; urls: readonly string[] },
  sink: OutputSink,
): Engine {
  // Detached: the child leads its own process group, so stop() ends it and anything it spawned.
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let exited: string | undefined;
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() !== "") sink(`[${name}] ${line}`);
    }
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // If this process ends without stop() (a crash, process.exit), take the service down with it.
  const killOnExit = () => {
    if (exited === undefined) signalGroup("SIGKILL");
  };
  process.once("exit", killOnExit);
  const exit = new Promise<void>((ok) =>
    child.on("exit", (code, signal) => {
      exited = `${name} exited (code ${code}, signal ${signal})`;
      process.removeListener("exit", killOnExit);
      ok();
    }),
  );
  return {
    name,
    ready: async (timeoutMs) => {
      for (const url of options.urls) await waitForHttp(url, timeoutMs, () => exited);
    },
    stop: async () => {
      if (exited !== undefined || child.pid === undefined) return;
      signalGroup("SIGTERM");
      if (!(await within(exit, 5000))) {
        signalGroup("SIGKILL");
        await within(exit, 2000);
      }
    },
  };
}

/** dynalite in this process, listening on `port`, tables created at once. */
export async function startDynalite(port: number): Promise<Engine> {
  // dynalite ships no types: its factory returns a plain http.Server.
  const createDynalite = require("dynalite") as (options: { createTableMs: number }) => Server;
  const server = createDynalite({ createTableMs: 0 });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, HOST, () => ok());
  });
  let closed: Promise<void> | undefined;
  return {
    name: "dynalite",
    ready: async () => undefined,
    stop: () => {
      closed ??= new Promise<void>((ok) => server.close(() => ok()));
      return closed;
    },
  };
}

/**
 * cognito-local on `port`, in `workDir` (it keeps its configuration and data in
 * `./.cognito`), with `config` as its `.cognito/config.json`.
 */
export function startCognitoLocal(
  options: { port: number; workDir: string; config: Record<string, unknown> },
  sink: OutputSink,
): Engine {
  mkdirSync(join(options.workDir, ".cognito"), { recursive: true });
  writeFileSync(
    join(options.workDir, ".cognito", "config.json"),
    JSON.stringify(options.config, null, 2),
  );
  return startChild(
    "cognito-local",
    [join(ROOT, "node_modules/cognito-local/lib/bin/start.js")],
    {
      cwd: options.workDir,
      env: { ...process.env, PORT: String(options.port), HOST },
      urls: [`http://${HOST}:${options.port}`],
    },
    sink,
  );
}

/** What {@link startServerlessOffline} runs. */
export interface OfflineOptions {
  readonly stage: string;
  readonly region: string;
  readonly httpPort: number;
  readonly lambdaPort: number;
  /** serverless `--param` values (name -> value). */
  readonly params: Readonly<Record<string, string>>;
  /** Variables added to this process's environment for serverless-offline and the functions. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * `serverless offline start` of this repository's serverless.yml (osls): API Gateway on
 * `httpPort`, the Lambda invoke endpoint on `lambdaPort`, functions bundled by serverless-esbuild.
 */
export function startServerlessOffline(options: OfflineOptions, sink: OutputSink): Engine {
  return startChild(
    "serverless-offline",
    [
      join(ROOT, "node_modules/osls/bin/serverless.js"),
      "offline",
      "start",
      "--stage",
      options.stage,
      "--region",
      options.region,
      "--host",
      HOST,
      "--httpPort",
      String(options.httpPort),
      "--lambdaPort",
      String(options.lambdaPort),
      "--noPrependStageInUrl",
      "--noSponsor",
      // The functions get this process's environment (options.env, the shell's LOCAL_* and
      // POWERTOOLS_* variables); serverless.yml's own variables still win.
      "--localEnvironment",
      ...Object.entries(options.params).map(([key, value]) => `--param=${key}=${value}`),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...options.env,
        SLS_TELEMETRY_DISABLED: "1",
        SLS_NOTIFICATIONS_MODE: "off",
      },
      urls: [`http://${HOST}:${options.httpPort}`, `http://${HOST}:${options.lambdaPort}`],
    },
    sink,
  );
}

/**
 * The variables serverless-offline passes on to the functions (it forwards the shell's
 * `AWS_*` variables): the SDK's standard endpoint overrides and dummy credentials.
 */
export function serviceEnvironment(urls: {
  dynamoUrl: string;
  cognitoUrl: string;
}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: urls.dynamoUrl,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: urls.cognitoUrl,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
}

/** The start failed: `message` is the one-line cause, `output` the services' last lines. */
export class LocalStackStartError extends Error {
  override readonly name = "LocalStackStartError";
  constructor(
    message: string,
    readonly output: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** An error as one line: its message (a port in use named as such), never a stack trace. */
export function oneLine(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "EADDRINUSE") {
    const port = (error as { port?: number }).port;
    return `port ${port ?? "?"} is in use (another \`npm run dev\`? stop it or choose other DEV_*_PORT values)`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
