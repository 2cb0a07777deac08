/**
 * The local end-to-end stack, with no AWS account: the engines of scripts/local-engines.ts
 * wired together. dynalite holds the profile and custom-auth attempts tables and a seeded
 * legacy users table (for user migration); cognito-local
 * holds the user pool, its app client and groups, and calls the registry's triggers through
 * serverless-offline's Lambda endpoint; serverless-offline serves the authorizer and GET /hello.
 *
 * `npm run dev` (scripts/dev.ts), `npm run demo` (scripts/demo.ts) and the e2e suite
 * (test/e2e/) start and stop it through {@link startLocalStack}; what they do with it is in
 * scripts/local-steps.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { attemptsTableDefinition } from "../shared/lockout/dynamodb-attempt-store";
import { profileTableDefinition } from "../shared/provisioning/profiles";
import { DEFAULT_LOCAL_USERS_FILE } from "../shared/user-migration/config";
import { legacyUsersTableDefinition } from "../shared/user-migration/dynamo-store";
import {
  allAnswer,
  type Engine,
  freePort,
  HOST,
  LOCAL_CREDENTIALS,
  LocalStackStartError,
  oneLine,
  portIsFree,
  serviceEnvironment,
  startCognitoLocal,
  startDynalite,
  startServerlessOffline,
} from "./local-engines";
import { cognitoTriggers, type TriggerName } from "./registry";

const ROOT = resolve(__dirname, "..");
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
/** The legacy users table user migration reads in the local stack (serverless.yml's default name). */
export const LEGACY_USERS_TABLE_NAME = `${SERVICE}-${STAGE}-legacy-users`;
/**
 * The legacy users seeded into {@link LEGACY_USERS_TABLE_NAME}: the file the function reads in
 * local mode without dynalite, so both hold the same users (bcrypt, scrypt and PBKDF2 hashes of
 * `legacy-Passw0rd!`; docs/local-stack.md lists them).
 */
export const LEGACY_USERS_FILE = join(ROOT, DEFAULT_LOCAL_USERS_FILE);
/** Groups created in the local pool: the post-confirmation default group and the admins group. */
export const LOCAL_GROUPS = ["members", "admins"] as const;

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
 * Create the legacy users table and put every user of `file` (`{ "<user name>": { <fields> } }`,
 * keyed by `username`) into it; returns the user names.
 */
async function seedLegacyUsers(
  dynamo: DynamoDBClient,
  tableName: string = LEGACY_USERS_TABLE_NAME,
  file: string = LEGACY_USERS_FILE,
): Promise<string[]> {
  const users = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>;
  await dynamo.send(new CreateTableCommand(legacyUsersTableDefinition(tableName)));
  for (const [username, fields] of Object.entries(users)) {
    await dynamo.send(
      new PutItemCommand({ TableName: tableName, Item: marshall({ ...fields, username }) }),
    );
  }
  return Object.keys(users);
}

/** SDK clients bound to the stack's cognito-local and dynalite. */
function clientsFor(urls: { cognitoUrl: string; dynamoUrl: string }): {
  cognito: CognitoIdentityProviderClient;
  dynamo: DynamoDBClient;
} {
  const clientConfig = { region: REGION, credentials: LOCAL_CREDENTIALS };
  return {
    cognito: new CognitoIdentityProviderClient({ ...clientConfig, endpoint: urls.cognitoUrl }),
    dynamo: new DynamoDBClient({ ...clientConfig, endpoint: urls.dynamoUrl }),
  };
}

/** The local user pool (email as username), its app client and {@link LOCAL_GROUPS}. */
async function createPool(
  cognito: CognitoIdentityProviderClient,
): Promise<{ userPoolId: string; clientId: string }> {
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
  return { userPoolId, clientId };
}

/**
 * Start dynalite, cognito-local and serverless-offline; create the profile, attempts and
 * legacy users tables (the last one seeded), the user pool, its app client and groups. Stops
 * what it started if any step fails.
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
  const children: Engine[] = [];
  let dynalite: Engine | undefined;
  const { cognito, dynamo } = clientsFor({ cognitoUrl, dynamoUrl });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // The functions' connections to dynalite end with their processes: children first.
    await Promise.all(children.map((child) => child.stop()));
    await dynalite?.stop();
    cognito.destroy();
    dynamo.destroy();
    rmSync(workDir, { recursive: true, force: true });
    rmSync(join(ROOT, esbuildFolder), { recursive: true, force: true });
  };

  try {
    // 1. dynalite, in process, with the profile table.
    progress(`dynalite: starting on ${dynamoUrl}`);
    dynalite = await startDynalite(ports.dynamo);
    await dynamo.send(new CreateTableCommand(profileTableDefinition(PROFILE_TABLE_NAME)));
    // The functions get AWS_ENDPOINT_URL_DYNAMODB, so create/verify count wrong answers here.
    await dynamo.send(new CreateTableCommand(attemptsTableDefinition(ATTEMPTS_TABLE_NAME)));
    // The legacy directory user migration moves users from, with a hash of each scheme.
    await seedLegacyUsers(dynamo);

    // 2. cognito-local, calling the registry's triggers through serverless-offline's Lambda endpoint.
    const cognitoLocal = startCognitoLocal(
      { port: ports.cognito, workDir, config: cognitoLocalConfig(lambdaUrl, cognitoUrl) },
      sink,
    );
    children.push(cognitoLocal);
    progress(`cognito-local: waiting for ${cognitoUrl} (up to ${timeoutMs / 1000} s)`);
    await cognitoLocal.ready(timeoutMs);
    progress("cognito-local: creating the user pool, its app client and groups");
    const { userPoolId, clientId } = await createPool(cognito);
    const issuer = `${cognitoUrl}/${userPoolId}`;

    // 3. serverless-offline: API Gateway + Lambda, functions pointed at the local engines.
    const params: Record<string, string> = {
      postConfirmationProfileTableName: PROFILE_TABLE_NAME,
      customAuthAttemptsTableName: ATTEMPTS_TABLE_NAME,
      userMigrationTableName: LEGACY_USERS_TABLE_NAME,
      authorizerLocalIssuerUrl: issuer,
      authorizerLocalClientIds: clientId,
      // The local app client may use both custom-auth flows, so `npm run signin` can try them.
      customAuthPasswordlessClientIds: clientId,
      customAuthPasswordCodeClientIds: clientId,
      ...options.params,
    };
    const offline = startServerlessOffline(
      {
        stage: STAGE,
        region: REGION,
        httpPort: ports.http,
        lambdaPort: ports.lambda,
        params,
        env: {
          ...serviceEnvironment({ dynamoUrl, cognitoUrl }),
          SLS_ESBUILD_WORK_FOLDER: esbuildFolder,
          LOCAL_OUTBOX_DIR: outboxDir,
          // No CloudFormation offline: the pool references of serverless.yml become empty
          // strings rather than unresolved `Fn::If` objects (custom.userPool there).
          SLS_OFFLINE_USER_POOL_ID: "",
          SLS_OFFLINE_USER_POOL_CLIENT_IDS: "",
        },
      },
      sink,
    );
    children.push(offline);
    progress(
      `serverless-offline: bundling the functions with esbuild, waiting for ${apiUrl} (up to ${timeoutMs / 1000} s)`,
    );
    await offline.ready(timeoutMs);

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
  const { cognito, dynamo } = clientsFor(info);
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
  return allAnswer([info.apiUrl, info.lambdaUrl, info.cognitoUrl, info.dynamoUrl]);
}
