/**
 * Fast local invoke: `npm run invoke -- <function> <event.json>`.
 *
 * Does what `serverless invoke local -f <function> -p <event.json>` does, without
 * starting the framework: same environment (from serverless.yml, local mode on),
 * same handler, and prints the handler's response as JSON. A failure prints
 * `{ errorType, errorMessage }` (as the Lambda runtime reports it) and exits 1.
 *
 * stdout carries that JSON document only (so `npm run invoke ... > out.json` or `| jq` work);
 * everything the function writes to stdout while it runs -- its log lines -- goes to stderr.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Context } from "aws-lambda";
import { FUNCTION_NAMES, isFunctionName, REGISTRY, splitHandler } from "./registry";
import { localEnvironment } from "./local-env";

const ROOT = resolve(__dirname, "..");

function usage(message: string): never {
  process.stderr.write(
    `${message}\nUsage: npm run invoke -- <function> <event.json>\nFunctions: ${FUNCTION_NAMES.join(", ")}\n`,
  );
  process.exit(2);
}

function fakeContext(name: string): Context {
  const deadline = Date.now() + 5000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `cognito-triggers-dev-${name}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:cognito-triggers-dev-${name}`,
    memoryLimitInMB: "256",
    awsRequestId: "local-invoke",
    logGroupName: `/aws/lambda/cognito-triggers-dev-${name}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Write the result to the real stdout; send everything else written there to stderr. */
function takeStdout(): (text: string) => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return (text) => {
    write(text);
  };
}

async function main(): Promise<void> {
  const print = takeStdout();
  const [name, eventPath] = process.argv.slice(2);
  if (!name || !eventPath) usage("Missing arguments.");
  if (!isFunctionName(name)) usage(`Unknown function "${name}".`);
  const event: unknown = JSON.parse(readFileSync(resolve(eventPath), "utf8"));

  // Same environment as `serverless invoke local` (which also sets IS_LOCAL); the
  // caller's own variables win so `FOO=bar npm run invoke ...` overrides serverless.yml.
  const env = { ...localEnvironment(ROOT, name), IS_LOCAL: "true" };
  for (const [key, value] of Object.entries(env)) process.env[key] ??= value;

  const { file, exportName } = splitHandler(REGISTRY[name].handler);
  try {
    // Imported after the environment is set: config is parsed at module load (cold start).
    const mod = (await import(resolve(ROOT, file))) as Record<string, unknown>;
    const handler = mod[exportName];
    if (typeof handler !== "function") throw new Error(`${file} does not export ${exportName}`);
    const result = await handler(event, fakeContext(name));
    print(`${JSON.stringify(result, null, 2)}\n`);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    print(`${JSON.stringify({ errorType: err.name, errorMessage: err.message }, null, 2)}\n`);
    process.exitCode = 1;
  }
}

void main();
