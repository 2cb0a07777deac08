/**
 * The two local invoke paths from the README give the same response:
 * `npm run invoke -- <fn> <event>` (tsx, no framework) and
 * `serverless invoke local -f <fn> -p <event>` (the framework, bundling with esbuild).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { lastJsonObject } from "../helpers/output";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "node_modules", ".bin");

const ENV = {
  ...process.env,
  SLS_TELEMETRY_DISABLED: "1",
  SLS_NOTIFICATIONS_MODE: "off",
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
};

async function invokeFast(fn: string, event: string): Promise<unknown> {
  const { stdout } = await run(join(BIN, "tsx"), ["scripts/invoke.ts", fn, event], {
    cwd: ROOT,
    env: ENV,
  });
  return lastJsonObject(stdout);
}

async function invokeServerless(fn: string, event: string): Promise<unknown> {
  const { stdout } = await run(
    join(BIN, "serverless"),
    ["invoke", "local", "-f", fn, "-p", event],
    {
      cwd: ROOT,
      env: ENV,
    },
  );
  return lastJsonObject(stdout);
}

describe("local invoke", () => {
  it("npm run invoke and serverless invoke local print the same response", async () => {
    // Act
    const [fast, framework] = await Promise.all([
      invokeFast("hello", "events/api-hello.json"),
      invokeServerless("hello", "events/api-hello.json"),
    ]);

    // Assess
    expect(fast).toMatchObject({ statusCode: 200 });
    expect(fast).toEqual(framework);
  });

  it("npm run invoke prints only the response on stdout; the log lines go to stderr", async () => {
    // Act: post-confirmation logs at INFO while it handles the event.
    const { stdout, stderr } = await run(
      join(BIN, "tsx"),
      ["scripts/invoke.ts", "postConfirmation", "events/post-confirmation-forgot-password.json"],
      { cwd: ROOT, env: { ...ENV, POWERTOOLS_LOG_LEVEL: "INFO" } },
    );

    // Assess: stdout is one JSON document (`> out.json` and `| jq` work).
    expect(JSON.parse(stdout)).toMatchObject({
      triggerSource: "PostConfirmation_ConfirmForgotPassword",
    });
    expect(stderr).toContain('"level":"INFO"');
  });

  it("names the unknown function and exits non-zero", async () => {
    await expect(
      run(join(BIN, "tsx"), ["scripts/invoke.ts", "nope", "events/api-hello.json"], {
        cwd: ROOT,
        env: ENV,
      }),
    ).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Unknown function "nope"'),
    });
  });
});
