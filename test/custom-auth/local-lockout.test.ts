/**
 * The lockout in local mode, through the function modules as `npm run invoke`, `serverless
 * invoke local` and serverless-offline load them (serverless.yml's environment): the JSON-file
 * stand-in with no AWS account, and dynalite when AWS_ENDPOINT_URL_DYNAMODB is set.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { localEnvironment } from "../../scripts/local-env";
import { ATTEMPTS_KEY } from "../../shared/lockout/dynamodb-attempt-store";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { lastJsonObject } from "../helpers/output";

// Bundling for `serverless invoke local` takes a few seconds.
jest.setTimeout(120_000);

const ROOT = resolve(__dirname, "..", "..");
const BIN = join(ROOT, "node_modules", ".bin");
// The sample events' user, as the counter's key.
const SAMPLE_KEY = "eu-west-1_EXAMPLE1#7f1c2a9e-5b7d-4e4a-9c1e-0a2b3c4d5e6f";
type Handler = (event: unknown) => Promise<{ response: Record<string, unknown> }>;

let dir: string;
let output: CapturedOutput;
let dynamo: LocalDynamo;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "custom-auth-local-lockout-"));
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  process.env = { ...savedEnv };
  rmSync(dir, { recursive: true, force: true });
});

/** Load functions/<file> afresh (a cold start) with serverless.yml's environment and `env`. */
function coldStart(name: string, file: string, env: Record<string, string>): Handler {
  process.env = { ...savedEnv, ...localEnvironment(ROOT, name), IS_LOCAL: "true", ...env };
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = (require(join(ROOT, "functions", file)) as { handler: Handler }).handler;
  });
  process.env = { ...savedEnv };
  if (handler === undefined) throw new Error("no handler");
  return handler;
}

describe("local mode without a DynamoDB endpoint: the JSON-file stand-in", () => {
  it("ten wrong answers lock the sample user: create then sends nothing and verify refuses the code", async () => {
    // Prepare
    const file = join(dir, "attempts.json");
    const outbox = join(dir, "outbox");
    const env = { LOCAL_AUTH_ATTEMPTS_FILE: file, LOCAL_OUTBOX_DIR: outbox };
    const verify = coldStart("verifyAuthChallenge", "verify-auth-challenge.ts", env);
    const create = coldStart("createAuthChallenge", "create-auth-challenge.ts", {
      ...env,
      CUSTOM_AUTH_PRETEND_DELAY_MS: "0",
    });

    // Act
    for (let i = 0; i < 10; i++) await verify(loadEvent("custom-auth-verify-wrong"));
    const created = await create(loadEvent("custom-auth-create-first"));
    const correct = await verify(loadEvent("custom-auth-verify-correct"));
    rmSync(file);
    const unlocked = await create(loadEvent("custom-auth-create-first"));

    // Assess
    expect(created.response.publicChallengeParameters).toEqual({ email: "j***@e***.com" });
    expect(correct.response).toEqual({ answerCorrect: false });
    expect(unlocked.response.publicChallengeParameters).toEqual({ email: "j***@e***.com" });
    expect(readdirSync(outbox)).toHaveLength(1);
    expect(output.jsonLines()).toContainEqual(
      expect.objectContaining({ step: "pretend-send", pretendReason: "locked-out" }),
    );
  });

  it("a correct answer clears the sample user's counter in the file", async () => {
    const file = join(dir, "attempts.json");
    const verify = coldStart("verifyAuthChallenge", "verify-auth-challenge.ts", {
      LOCAL_AUTH_ATTEMPTS_FILE: file,
    });

    await verify(loadEvent("custom-auth-verify-wrong"));
    const before = JSON.parse(readFileSync(file, "utf8"));
    await verify(loadEvent("custom-auth-verify-correct"));

    expect(before[SAMPLE_KEY]).toMatchObject({ failures: 1 });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({});
  });

  it("npm run invoke and serverless invoke local work with no AWS account", async () => {
    // Prepare: no credentials at all, the counters in a temporary file.
    const file = join(dir, "attempts.json");
    const env = {
      ...process.env,
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      LOCAL_AUTH_ATTEMPTS_FILE: file,
    };
    const run = promisify(execFile);
    const event = "events/custom-auth-verify-wrong.json";

    // Act
    const fast = await run(join(BIN, "tsx"), ["scripts/invoke.ts", "verifyAuthChallenge", event], {
      cwd: ROOT,
      env,
    });
    const framework = await run(
      join(BIN, "serverless"),
      ["invoke", "local", "-f", "verifyAuthChallenge", "-p", event],
      { cwd: ROOT, env },
    );

    // Assess: both answered, both counted in the file.
    expect(lastJsonObject(fast.stdout)).toMatchObject({ response: { answerCorrect: false } });
    expect(lastJsonObject(framework.stdout)).toMatchObject({
      response: { answerCorrect: false },
    });
    expect(JSON.parse(readFileSync(file, "utf8"))[SAMPLE_KEY]).toMatchObject({ failures: 2 });
  });
});

describe("local mode with AWS_ENDPOINT_URL_DYNAMODB (the local stack's dynalite)", () => {
  it("counts in that engine's table, not in the file", async () => {
    // Prepare: serverless.yml's table name, created in dynalite as the local stack does.
    const table = "cognito-triggers-dev-custom-auth-attempts";
    await dynamo.createAttemptsTable(table);
    const file = join(dir, "attempts.json");
    const verify = coldStart("verifyAuthChallenge", "verify-auth-challenge.ts", {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      LOCAL_AUTH_ATTEMPTS_FILE: file,
    });

    // Act
    await verify(loadEvent("custom-auth-verify-wrong"));
    const item = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { [ATTEMPTS_KEY]: { S: SAMPLE_KEY } } }),
    );

    // Assess
    expect(item.Item?.failures).toEqual({ N: "1" });
    expect(existsSync(file)).toBe(false);
  });
});
