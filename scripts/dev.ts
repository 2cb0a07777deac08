/**
 * `npm run dev`: the local end-to-end stack in the foreground, with no AWS account.
 * Starts dynalite, cognito-local and serverless-offline (see scripts/local-stack.ts),
 * prints where each listens and the pool it created, and runs until Ctrl-C.
 *
 * Fixed ports by default (API 3000, Lambda 3002, cognito-local 9229, dynalite 4567), so the
 * URLs are stable; override with DEV_HTTP_PORT, DEV_LAMBDA_PORT, DEV_COGNITO_PORT, DEV_DYNAMO_PORT.
 * `DEV_VERBOSE=true` prints the services' own output (function logs included).
 * The functions' configuration: `--param name=value`, dev.params.json or the shell
 * (scripts/dev-config.ts; `--help`). Emails (codes included) go to `.local/outbox/`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { DEV_HELP, DevConfigError, devParams } from "./dev-config";
import { LocalStackStartError, serviceEnvironment } from "./local-engines";
import {
  ATTEMPTS_TABLE_NAME,
  LEGACY_USERS_FILE,
  LEGACY_USERS_TABLE_NAME,
  STACK_FILE,
  stackInfo,
  startLocalStack,
} from "./local-stack";

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a port number, got "${raw}"`);
  }
  return value;
}

const ROOT = resolve(__dirname, "..");

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(DEV_HELP);
    return;
  }
  let configuration: ReturnType<typeof devParams>;
  try {
    configuration = devParams({ argv, env: process.env, root: ROOT });
  } catch (error) {
    if (!(error instanceof DevConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const verbose = /^(1|true|yes|on)$/i.test(process.env.DEV_VERBOSE ?? "");
  process.stdout.write("Starting dynalite, cognito-local and serverless-offline...\n");
  for (const { name, from } of configuration.sources) {
    // Names and sources only: a parameter may hold a secret.
    process.stdout.write(`  parameter ${name} (from ${from})\n`);
  }
  const stack = await startLocalStack({
    params: configuration.params,
    outboxDir: join(dirname(STACK_FILE), "outbox"),
    onProgress: (message) => process.stdout.write(`  ... ${message}\n`),
    ports: {
      http: port("DEV_HTTP_PORT", 3000),
      lambda: port("DEV_LAMBDA_PORT", 3002),
      cognito: port("DEV_COGNITO_PORT", 9229),
      dynamo: port("DEV_DYNAMO_PORT", 4567),
    },
    onOutput: verbose ? (line) => process.stdout.write(`${line}\n`) : undefined,
  });
  mkdirSync(dirname(STACK_FILE), { recursive: true });
  writeFileSync(STACK_FILE, `${JSON.stringify(stackInfo(stack), null, 2)}\n`);
  const env = serviceEnvironment(stack);
  process.stdout.write(
    [
      "",
      `  API (GET /hello)      ${stack.apiUrl}/hello`,
      `  Lambda endpoint       ${stack.lambdaUrl}`,
      `  cognito-local         ${stack.cognitoUrl}   pool ${stack.userPoolId}   client ${stack.clientId}`,
      `  dynalite              ${stack.dynamoUrl}   tables ${stack.profileTableName}, ${ATTEMPTS_TABLE_NAME}, ${LEGACY_USERS_TABLE_NAME}`,
      `  legacy users          ${relative(ROOT, LEGACY_USERS_FILE)}   (sign in as one: user migration moves them into the pool)`,
      `  emails (codes)        ${stack.outboxDir}/   (one file per email)`,
      "",
      "  Use it from a shell:",
      `    export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=${env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}`,
      `    export AWS_ENDPOINT_URL_DYNAMODB=${env.AWS_ENDPOINT_URL_DYNAMODB}`,
      "    export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=eu-west-1",
      "",
      "  In another terminal: npm run demo, or npm run signin -- --help    (Ctrl-C stops everything)",
      "",
    ].join("\n"),
  );
  const shutdown = () => {
    process.stdout.write("Stopping...\n");
    rmSync(STACK_FILE, { force: true });
    void stack.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  // The services' last lines first (with DEV_VERBOSE), the one-line cause last.
  if (
    error instanceof LocalStackStartError &&
    error.output !== "" &&
    /^(1|true|yes|on)$/i.test(process.env.DEV_VERBOSE ?? "")
  ) {
    process.stderr.write(`${error.output}\n`);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${message}${error instanceof LocalStackStartError && !/DEV_VERBOSE/.test(message) ? " (DEV_VERBOSE=true npm run dev shows the services' output)" : ""}\n`,
  );
  process.exit(1);
});
