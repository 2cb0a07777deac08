/**
 * `npm run dev`: the local end-to-end stack in the foreground, with no AWS account.
 * Starts dynalite, cognito-local and serverless-offline (see scripts/local-stack.ts),
 * prints where each listens and the pool it created, and runs until Ctrl-C.
 *
 * Fixed ports by default (API 3000, Lambda 3002, cognito-local 9229, dynalite 4567), so the
 * URLs are stable; override with DEV_HTTP_PORT, DEV_LAMBDA_PORT, DEV_COGNITO_PORT, DEV_DYNAMO_PORT.
 * `DEV_VERBOSE=true` prints the services' own output (function logs included).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  ATTEMPTS_TABLE_NAME,
  STACK_FILE,
  serviceEnvironment,
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

async function main(): Promise<void> {
  const verbose = /^(1|true|yes|on)$/i.test(process.env.DEV_VERBOSE ?? "");
  process.stdout.write("Starting dynalite, cognito-local and serverless-offline...\n");
  const stack = await startLocalStack({
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
      `  dynalite              ${stack.dynamoUrl}   tables ${stack.profileTableName}, ${ATTEMPTS_TABLE_NAME}`,
      "",
      "  Use it from a shell:",
      `    export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=${env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}`,
      `    export AWS_ENDPOINT_URL_DYNAMODB=${env.AWS_ENDPOINT_URL_DYNAMODB}`,
      "    export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=eu-west-1",
      "",
      "  Run the demo in another terminal: npm run demo    (Ctrl-C stops everything)",
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
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
