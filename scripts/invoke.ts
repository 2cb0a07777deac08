/**
 * Fast local invoke: `npm run -s invoke -- <function> <event.json>` (`-s` keeps npm's own
 * `> name@version invoke` banner off stdout).
 *
 * Does what `serverless invoke local -f <function> -p <event.json>` does, without
 * starting the framework: same environment (from serverless.yml, local mode on),
 * same handler, and prints the handler's response as JSON. Exit codes: 0 the response;
 * 1 the function refused (`{ errorType, errorMessage }` as the Lambda runtime reports it);
 * 2 bad usage (missing arguments, unknown function); 3 the event file cannot be read or is
 * not JSON (one line on stderr).
 *
 * stdout carries that JSON document only (so `> out.json` or `| jq` work); everything the
 * function writes to stdout while it runs -- its log lines -- goes to stderr.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Context } from "aws-lambda";
import { localEnvironment } from "./local-env";
import { FUNCTION_NAMES, isFunctionName, REGISTRY, splitHandler } from "./registry";

const ROOT = resolve(__dirname, "..");

/** Exit code: the function refused the event (its error is printed on stdout). */
const EXIT_REFUSED = 1;
/** Exit code: missing arguments or an unknown function. */
const EXIT_USAGE = 2;
/** Exit code: the event file cannot be read or does not hold JSON. */
const EXIT_BAD_EVENT = 3;

function usage(message: string): never {
  process.stderr.write(
    `${message}\nUsage: npm run -s invoke -- <function> <event.json>\nFunctions: ${FUNCTION_NAMES.join(", ")}\n`,
  );
  process.exit(EXIT_USAGE);
}

/**
 * The event in `path`, parsed; a missing, unreadable or truncated file ends the run with one
 * line naming the file and why (never a stack trace), and exit code 3.
 */
function readEvent(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(resolve(path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : code;
    process.stderr.write(`Cannot read event file ${path}: ${why ?? String(error)}\n`);
    process.exit(EXIT_BAD_EVENT);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Event file ${path} is not valid JSON: ${detail}\n`);
    process.exit(EXIT_BAD_EVENT);
  }
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
  const event = readEvent(eventPath);

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
    process.exitCode = EXIT_REFUSED;
  }
}

void main();
