/**
 * The local end-to-end stack, with no AWS account: dynalite (the profile table and
 * the custom-auth attempts table),
 * cognito-local (the user pool, calling the triggers through serverless-offline's
 * Lambda endpoint) and serverless-offline (API Gateway + Lambda: the authorizer and
 * GET /hello), all on loopback ports.
 *
 * `npm run dev` (scripts/dev.ts), `npm run demo` (scripts/demo.ts) and the e2e suite
 * (test/e2e/) start and stop it through {@link startLocalStack}; the demo steps are the
 * small helpers at the end of this file, so the demo and the suite do the same things.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { attemptsTableDefinition } from "../shared/lockout/dynamodb-attempt-store";
import { profileTableDefinition } from "../shared/provisioning/profiles";
import { cognitoTriggers, type TriggerName } from "./registry";

const ROOT = resolve(__dirname, "..");
const HOST = "127.0.0.1";
/** The service and stage the stack runs as; Lambda names are `<service>-<stage>-<function>`. */
export const SERVICE = "cognito-triggers";
export const STAGE = "dev";
/** Region the SDK clients and serverless-offline use (any value works locally). */
export const REGION = "eu-west-1";
/** Where `npm run dev` writes the running stack's coordinates for `npm run demo` (.local/ is git-ignored). */
export const STACK_FILE = process.env.DEV_STACK_FILE || join(ROOT, ".local", "stack.json");
/** The profile table's name in the local stack (serverless.yml's default for stage dev). */
export const PROFILE_TABLE_NAME = `${SERVICE}-${STAGE}-profiles`;
/** The custom-auth attempts table the local stack creates (serverless.yml's default name). */
export const ATTEMPTS_TABLE_NAME = `${SERVICE}-${STAGE}-custom-auth-attempts`;
/** Groups created in the local pool: the post-confirmation default group and the admins group. */
export const LOCAL_GROUPS = ["members", "admins"] as const;
// Dummy credentials: the local engines accept any, and the SDK refuses to sign without some.
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * The triggers the local pool calls, by Cognito trigger name -> serverless function: the
 * registry's `cognitoLocal` ones (scripts/registry.ts says why each other one is not).
 * cognito-local sends PreTokenGeneration as a V1 event (`version: "0"`); PostAuthentication
 * (the opt-in backstop) is attached so the stack shows the admin-created-user case it exists
 * for, and unlike Cognito, cognito-local ignores its failure.
 */
export const COGNITO_LOCAL_TRIGGERS: Readonly<Record<string, TriggerName>> = Object.fromEntries(
  cognitoTriggers()
    .filter(([, trigger]) => trigger.cognitoLocal)
    .map(([name, trigger]) => [trigger.trigger, name]),
);

/** Where a started stack listens: what `npm run dev` writes to `.local/stack.json` for `npm run demo`. */
export interface StackInfo {
  /** Base URL of the REST API (GET `${apiUrl}/hello`). */
  readonly apiUrl: string;
  /** serverless-offline's Lambda invoke endpoint. */
  readonly lambdaUrl: string;
  /** cognito-local's endpoint (also the token issuer domain). */
  readonly cognitoUrl: string;
  /** dynalite's endpoint. */
  readonly dynamoUrl: string;
  /** The local user pool and its app client (USER_PASSWORD_AUTH + refresh). */
  readonly userPoolId: string;
  readonly clientId: string;
  /** The `iss` of the pool's tokens: `${cognitoUrl}/${userPoolId}`. */
  readonly issuer: string;
  readonly profileTableName: string;
  /** Where the functions' emails go (LOCAL_OUTBOX_DIR): one file per email, codes included. */
  readonly outboxDir: string;
}

/** A started stack: where it listens, and clients bound to it. */
export interface LocalStack extends StackInfo {
  /** SDK clients bound to the local engines. */
  readonly cognito: CognitoIdentityProviderClient;
  readonly dynamo: DynamoDBClient;
  /** Everything the services printed so far (for diagnostics). */
  output(): string;
  /** Stop every service and remove the temporary files. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Fixed ports (defaults: free loopback ports chosen at start). */
  readonly ports?: Partial<Record<"http" | "lambda" | "cognito" | "dynamo", number>>;
  /** Called with each line the child services print (default: collected, not printed). */
  readonly onOutput?: (line: string) => void;
  /** Longest wait for a service to answer, in ms. */
  readonly startTimeoutMs?: number;
  /** Extra serverless `--param` values (name -> value). */
  readonly params?: Readonly<Record<string, string>>;
  /** Called with what the start is doing or waiting for (default: nothing printed). */
  readonly onProgress?: (message: string) => void;
  /** The functions' local outbox (default: a folder in the stack's temporary directory). */
  readonly outboxDir?: string;
}

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
async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  const free = await new Promise<boolean>((ok) => {
    server.once("error", () => ok(false));
    server.listen(port, HOST, () => ok(true));
  });
  if (free) await new Promise<void>((ok) => server.close(() => ok()));
  return free;
}

async function sleep(ms: number): Promise<void> {
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

interface Child {
  readonly process: ChildProcess;
  readonly name: string;
  exited: string | undefined;
}

function startChild(
  name: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
  sink: (line: string) => void,
): Child {
  // Detached: the child leads its own process group, so stop() ends it and anything it spawned.
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const record: Child = { process: child, name, exited: undefined };
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() !== "") sink(`[${name}] ${line}`);
    }
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  // If this process ends without stop() (a crash, process.exit), take the service down with it.
  const killOnExit = () => {
    if (record.exited === undefined && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killOnExit);
  child.on("exit", (code, signal) => {
    record.exited = `${name} exited (code ${code}, signal ${signal})`;
    process.removeListener("exit", killOnExit);
  });
  return record;
}

async function stopChild(child: Child): Promise<void> {
  const pid = child.process.pid;
  if (child.exited !== undefined || pid === undefined) return;
  const exited = new Promise<void>((ok) => child.process.once("exit", () => ok()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  signalGroup("SIGTERM");
  if (!(await within(exited, 5000))) {
    signalGroup("SIGKILL");
    await within(exited, 2000);
  }
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

/** The cognito-local configuration (`.cognito/config.json`) for a stack whose Lambda endpoint is `lambdaUrl`. */
export function cognitoLocalConfig(lambdaUrl: string, cognitoUrl: string): Record<string, unknown> {
  const triggerFunctions = Object.fromEntries(
    Object.entries(COGNITO_LOCAL_TRIGGERS).map(([trigger, fn]) => [
      trigger,
      `${SERVICE}-${STAGE}-${fn}`,
    ]),
  );
  return {
    LambdaClient: { endpoint: lambdaUrl, region: REGION, credentials: LOCAL_CREDENTIALS },
    TriggerFunctions: triggerFunctions,
    UserPoolDefaults: { UsernameAttributes: ["email"] },
    TokenConfig: { IssuerDomain: cognitoUrl },
  };
}

/**
 * Start dynalite, cognito-local and serverless-offline; create the profile table,
 * the user pool, its app client and groups. Stops what it started if any step fails.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const progress = options.onProgress ?? (() => undefined);
  const lines: string[] = [];
  const sink = (line: string) => {
    lines.push(line);
    options.onOutput?.(line);
  };
  // A fixed port already taken is named at once, not found out by a service dying later.
  for (const [service, port] of Object.entries(options.ports ?? {})) {
    if (port !== undefined && !(await portIsFree(port))) {
      throw new LocalStackStartError(
        `local stack failed to start: port ${port} (${service}) is in use on ${HOST} (another \`npm run dev\`? stop it or set DEV_${service.toUpperCase()}_PORT)`,
        "",
      );
    }
  }
  const ports = {
    http: options.ports?.http ?? (await freePort()),
    lambda: options.ports?.lambda ?? (await freePort()),
    cognito: options.ports?.cognito ?? (await freePort()),
    dynamo: options.ports?.dynamo ?? (await freePort()),
  };
  const apiUrl = `http://${HOST}:${ports.http}`;
  const lambdaUrl = `http://${HOST}:${ports.lambda}`;
  const cognitoUrl = `http://${HOST}:${ports.cognito}`;
  const dynamoUrl = `http://${HOST}:${ports.dynamo}`;

  const workDir = mkdtempSync(join(tmpdir(), "cognito-triggers-stack-"));
  const outboxDir = options.outboxDir ?? join(workDir, "outbox");
  // serverless-esbuild builds inside the service directory: one folder per stack (.esbuild/ is ignored).
  const esbuildFolder = `.esbuild/stack-${process.pid}-${ports.http}`;
  const children: Child[] = [];
  let dynalite: Server | undefined;
  const clientConfig = { region: REGION, credentials: LOCAL_CREDENTIALS };
  const cognito = new CognitoIdentityProviderClient({ ...clientConfig, endpoint: cognitoUrl });
  const dynamo = new DynamoDBClient({ ...clientConfig, endpoint: dynamoUrl });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map(stopChild));
    if (dynalite !== undefined) {
      const server = dynalite;
      await new Promise<void>((ok) => server.close(() => ok()));
    }
    cognito.destroy();
    dynamo.destroy();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(join(ROOT, esbuildFolder), { recursive: true, force: true });
  };

  try {
    // 1. dynalite, in process, with the profile table.
    progress(`dynalite: starting on ${dynamoUrl}`);
    // dynalite ships no types: its factory returns a plain http.Server.
    const createDynalite = require("dynalite") as (options: { createTableMs: number }) => Server;
    const server = createDynalite({ createTableMs: 0 });
    dynalite = server;
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(ports.dynamo, HOST, () => ok());
    });
    await dynamo.send(new CreateTableCommand(profileTableDefinition(PROFILE_TABLE_NAME)));
    // The functions get AWS_ENDPOINT_URL_DYNAMODB, so create/verify count wrong answers here.
    await dynamo.send(new CreateTableCommand(attemptsTableDefinition(ATTEMPTS_TABLE_NAME)));

    // 2. cognito-local, in its own working directory (it keeps config and data in ./.cognito).
    mkdirSync(join(workDir, ".cognito"), { recursive: true });
    writeFileSync(
      join(workDir, ".cognito", "config.json"),
      JSON.stringify(cognitoLocalConfig(lambdaUrl, cognitoUrl), null, 2),
    );
    const cognitoChild = startChild(
      "cognito-local",
      [join(ROOT, "node_modules/cognito-local/lib/bin/start.js")],
      { cwd: workDir, env: { ...process.env, PORT: String(ports.cognito), HOST } },
      sink,
    );
    children.push(cognitoChild);
    progress(`cognito-local: waiting for ${cognitoUrl} (up to ${timeoutMs / 1000} s)`);
    await waitForHttp(cognitoUrl, timeoutMs, () => cognitoChild.exited);
    progress("cognito-local: creating the user pool, its app client and groups");

    const pool = await cognito.send(
      new CreateUserPoolCommand({
        PoolName: `${SERVICE}-${STAGE}`,
        UsernameAttributes: ["email"],
        AutoVerifiedAttributes: ["email"],
      }),
    );
    const userPoolId = pool.UserPool?.Id;
    if (userPoolId === undefined) throw new Error("cognito-local created no pool id");
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: `${SERVICE}-${STAGE}-app`,
        ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      }),
    );
    const clientId = client.UserPoolClient?.ClientId;
    if (clientId === undefined) throw new Error("cognito-local created no client id");
    for (const group of LOCAL_GROUPS) {
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
    }
    const issuer = `${cognitoUrl}/${userPoolId}`;

    // 3. serverless-offline: API Gateway + Lambda, functions pointed at the local engines.
    const params: Record<string, string> = {
      postConfirmationProfileTableName: PROFILE_TABLE_NAME,
      customAuthAttemptsTableName: ATTEMPTS_TABLE_NAME,
      authorizerLocalIssuerUrl: issuer,
      authorizerLocalClientIds: clientId,
      // The local app client may use both custom-auth flows, so `npm run signin` can try them.
      customAuthPasswordlessClientIds: clientId,
      customAuthPasswordCodeClientIds: clientId,
      ...options.params,
    };
    const offlineChild = startChild(
      "serverless-offline",
      [
        join(ROOT, "node_modules/osls/bin/serverless.js"),
        "offline",
        "start",
        "--stage",
        STAGE,
        "--region",
        REGION,
        "--host",
        HOST,
        "--httpPort",
        String(ports.http),
        "--lambdaPort",
        String(ports.lambda),
        "--noPrependStageInUrl",
        "--noSponsor",
        // The functions get this process's environment (LOCAL_OUTBOX_DIR below, the shell's
        // LOCAL_* and POWERTOOLS_* variables); serverless.yml's own variables still win.
        "--localEnvironment",
        ...Object.entries(params).map(([key, value]) => `--param=${key}=${value}`),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ...serviceEnvironment({ dynamoUrl, cognitoUrl }),
          SLS_ESBUILD_WORK_FOLDER: esbuildFolder,
          LOCAL_OUTBOX_DIR: outboxDir,
          SLS_TELEMETRY_DISABLED: "1",
          SLS_NOTIFICATIONS_MODE: "off",
        },
      },
      sink,
    );
    children.push(offlineChild);
    progress(
      `serverless-offline: bundling the functions with esbuild, waiting for ${apiUrl} (up to ${timeoutMs / 1000} s)`,
    );
    await waitForHttp(apiUrl, timeoutMs, () => offlineChild.exited);
    await waitForHttp(lambdaUrl, timeoutMs, () => offlineChild.exited);

    return {
      apiUrl,
      lambdaUrl,
      cognitoUrl,
      dynamoUrl,
      userPoolId,
      clientId,
      issuer,
      profileTableName: PROFILE_TABLE_NAME,
      outboxDir,
      cognito,
      dynamo,
      output: () => lines.join("\n"),
      stop,
    };
  } catch (error) {
    await stop();
    throw new LocalStackStartError(
      `local stack failed to start: ${oneLine(error)}`,
      lines.slice(-40).join("\n"),
      { cause: error },
    );
  }
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
function oneLine(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "EADDRINUSE") {
    const port = (error as { port?: number }).port;
    return `port ${port ?? "?"} is in use (another \`npm run dev\`? stop it or choose other DEV_*_PORT values)`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

/** The coordinates of a started stack. */
export function stackInfo(stack: StackInfo): StackInfo {
  const { apiUrl, lambdaUrl, cognitoUrl, dynamoUrl, userPoolId, clientId, issuer, outboxDir } =
    stack;
  return {
    apiUrl,
    lambdaUrl,
    cognitoUrl,
    dynamoUrl,
    userPoolId,
    clientId,
    issuer,
    profileTableName: stack.profileTableName,
    outboxDir,
  };
}

/** A handle on a stack another process (`npm run dev`) runs; stop() only closes the clients. */
export function connectLocalStack(info: StackInfo): LocalStack {
  const clientConfig = { region: REGION, credentials: LOCAL_CREDENTIALS };
  const cognito = new CognitoIdentityProviderClient({ ...clientConfig, endpoint: info.cognitoUrl });
  const dynamo = new DynamoDBClient({ ...clientConfig, endpoint: info.dynamoUrl });
  return {
    ...stackInfo(info),
    cognito,
    dynamo,
    output: () => "",
    stop: async () => {
      cognito.destroy();
      dynamo.destroy();
    },
  };
}

/** True when every service of the stack at `info` answers. */
export async function isRunning(info: StackInfo): Promise<boolean> {
  const urls = [info.apiUrl, info.lambdaUrl, info.cognitoUrl, info.dynamoUrl];
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

// ---- the demo steps (scripts/demo.ts prints them, test/e2e asserts them) ----

/** Start a password reset (ForgotPassword; runs CustomMessage_ForgotPassword, prints the message). */
export async function forgotPassword(stack: LocalStack, email: string): Promise<void> {
  await stack.cognito.send(
    new ForgotPasswordCommand({ ClientId: stack.clientId, Username: email }),
  );
}

/** Sign a user up through the SDK (runs the PreSignUp trigger). */
export async function signUp(
  stack: LocalStack,
  email: string,
  password: string,
): Promise<{ userConfirmed: boolean; userSub: string | undefined }> {
  const out = await stack.cognito.send(
    new SignUpCommand({
      ClientId: stack.clientId,
      Username: email,
      Password: password,
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "name", Value: "Demo User" },
      ],
    }),
  );
  return { userConfirmed: out.UserConfirmed === true, userSub: out.UserSub };
}

/** Confirm the user as an administrator would (runs the PostConfirmation trigger). */
export async function confirm(stack: LocalStack, email: string): Promise<void> {
  await stack.cognito.send(
    new AdminConfirmSignUpCommand({ UserPoolId: stack.userPoolId, Username: email }),
  );
}

/** The tokens of a USER_PASSWORD_AUTH sign-in (runs the PreTokenGeneration trigger). */
export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
}

/** Sign in with USER_PASSWORD_AUTH. */
export async function signIn(stack: LocalStack, email: string, password: string): Promise<Tokens> {
  const out = await stack.cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return tokensOf(out.AuthenticationResult, out.ChallengeName);
}

function tokensOf(
  result: { IdToken?: string; AccessToken?: string; RefreshToken?: string } | undefined,
  challenge: string | undefined,
): Tokens {
  if (result?.IdToken === undefined || result.AccessToken === undefined) {
    throw new Error(`sign-in returned no tokens (challenge ${challenge ?? "none"})`);
  }
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
  };
}

/** The (unverified) payload of a JWT, for display. */
export function decodeClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The user's status, attributes and groups in the local pool. */
export async function describeUser(
  stack: LocalStack,
  email: string,
): Promise<{ status: string | undefined; attributes: Record<string, string>; groups: string[] }> {
  const user = await stack.cognito.send(
    new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: email }),
  );
  // By the username (cognito-local: the sub), not the email alias: cognito-local 5.3.0 finds
  // no groups for an alias.
  const groups = await stack.cognito.send(
    new AdminListGroupsForUserCommand({
      UserPoolId: stack.userPoolId,
      Username: user.Username ?? email,
    }),
  );
  return {
    status: user.UserStatus,
    attributes: Object.fromEntries(
      (user.UserAttributes ?? []).map((a) => [a.Name ?? "", a.Value ?? ""]),
    ),
    groups: (groups.Groups ?? []).map((g) => g.GroupName ?? ""),
  };
}

/** GET /hello, with `Authorization: Bearer <token>` when a token is given. */
export async function callHello(
  stack: LocalStack,
  token?: string,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${stack.apiUrl}/hello`, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

/** The profile record post-confirmation wrote for `sub`, if any. */
export async function readProfile(
  stack: LocalStack,
  sub: string,
): Promise<Record<string, unknown> | undefined> {
  const out = await stack.dynamo.send(
    new GetItemCommand({
      TableName: stack.profileTableName,
      Key: { sub: { S: sub } },
      ConsistentRead: true,
    }),
  );
  return out.Item === undefined ? undefined : unmarshall(out.Item);
}

/**
 * An administrator creates the user (AdminCreateUser, temporary password, no message); the
 * user signs in (USER_PASSWORD_AUTH), gets NEW_PASSWORD_REQUIRED and sets a new password
 * (RespondToAuthChallenge). Cognito runs no PostConfirmation for this confirmation
 * (aws-amplify/amplify-cli#13127); the post-authentication backstop provisions the user
 * (groups and profile) during this first sign-in. Returns the user's sub and the tokens.
 */
export async function adminCreatedFirstSignIn(
  stack: LocalStack,
  email: string,
  newPassword: string,
): Promise<{ sub: string; tokens: Tokens }> {
  const temporary = "Temporary-Passw0rd!";
  const created = await stack.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: stack.userPoolId,
      Username: email,
      MessageAction: "SUPPRESS",
      TemporaryPassword: temporary,
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  const sub = created.User?.Attributes?.find((a) => a.Name === "sub")?.Value;
  if (sub === undefined) throw new Error("AdminCreateUser returned no sub");
  const challenge = await stack.cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: temporary },
    }),
  );
  if (challenge.ChallengeName !== "NEW_PASSWORD_REQUIRED") {
    throw new Error(`expected NEW_PASSWORD_REQUIRED, got ${challenge.ChallengeName ?? "tokens"}`);
  }
  const out = await stack.cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: stack.clientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
    }),
  );
  return { sub, tokens: tokensOf(out.AuthenticationResult, out.ChallengeName) };
}

/**
 * A valid access token of the local pool that lacks what GET /hello requires (the
 * `api/read` scope, or membership of the default or admins group): an admin-created user
 * whom the backstop provisioned at the first sign-in and an administrator then removed
 * from every group. The next sign-in finds the profile (the backstop does nothing more), and
 * cognito-local issues only the `aws.cognito.signin.user.admin` scope.
 */
export async function tokenLackingScope(stack: LocalStack, email: string): Promise<string> {
  const password = "Outsider-Passw0rd!";
  const { sub } = await adminCreatedFirstSignIn(stack, email, password);
  // By the username (cognito-local: the sub), as in describeUser.
  const groups = await stack.cognito.send(
    new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: sub }),
  );
  for (const group of groups.Groups ?? []) {
    await stack.cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: stack.userPoolId,
        Username: sub,
        GroupName: group.GroupName,
      }),
    );
  }
  return (await signIn(stack, email, password)).accessToken;
}

/**
 * How many times serverless-offline ran each function so far, from its
 * `(λ: <function>) RequestId: ...` lines: the proof of which triggers cognito-local invoked.
 */
export function invocations(stack: Pick<LocalStack, "output">): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of stack.output().matchAll(/\(λ: ([A-Za-z0-9]+)\) RequestId:/g)) {
    const name = match[1] ?? "";
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** New tokens from a refresh token (REFRESH_TOKEN_AUTH; runs PreTokenGeneration again). */
export async function refresh(stack: LocalStack, refreshToken: string): Promise<Tokens> {
  const out = await stack.cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
  const result = out.AuthenticationResult;
  if (result?.IdToken === undefined || result.AccessToken === undefined) {
    throw new Error("refresh returned no tokens");
  }
  return { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken };
}

/**
 * The number of runs of `fn` once it reaches `atLeast` (serverless-offline prints the
 * line when the run ends, which may reach us just after the caller's response), or the
 * count after `timeoutMs`.
 */
export async function awaitInvocations(
  stack: Pick<LocalStack, "output">,
  fn: string,
  atLeast: number,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = invocations(stack)[fn] ?? 0;
    if (count >= atLeast || Date.now() > deadline) return count;
    await sleep(50);
  }
}
