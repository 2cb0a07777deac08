/**
 * The two local invoke paths from the README give the same response:
 * `npm run invoke -- <fn> <event>` (tsx, no framework) and
 * `serverless invoke local -f <fn> -p <event>` (the framework, bundling with esbuild).
 */
import { exec, execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { lastJsonObject } from "../helpers/output";

const run = promisify(execFile);
const shell = promisify(exec);
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

  it("the README's command line, `npm run -s invoke -- <fn> <event> > out.json`, writes pure JSON", async () => {
    // Prepare: the README's command line, placeholders filled in, run by a shell as typed.
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const documented = /`(npm run -s invoke -- <function> <event\.json>)` prints/.exec(readme)?.[1];
    expect(documented).toBeDefined();
    expect(readme).toContain("`> out.json` and `| jq` work");
    const line = String(documented)
      .replace("<function>", "hello")
      .replace("<event.json>", "events/api-hello.json");
    const out = join(mkdtempSync(join(tmpdir(), "invoke-")), "out.json");

    // Act: redirected to a file, and piped into a JSON parser (what `| jq` does).
    await shell(`${line} > ${out}`, { cwd: ROOT, env: ENV });
    const piped = await shell(
      `${line} | node -e "process.stdout.write(JSON.stringify(JSON.parse(require('fs').readFileSync(0, 'utf8')).statusCode))"`,
      { cwd: ROOT, env: ENV },
    );

    // Assess: pure JSON both ways, npm's banner nowhere.
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ statusCode: 200 });
    expect(piped.stdout).toBe("200");
  });

  it("a missing event file: one line naming it, exit code 3 (not the function's 1)", async () => {
    await expect(
      run(join(BIN, "tsx"), ["scripts/invoke.ts", "hello", "events/no-such-event.json"], {
        cwd: ROOT,
        env: ENV,
      }),
    ).rejects.toMatchObject({
      code: 3,
      stdout: "",
      stderr: "Cannot read event file events/no-such-event.json: no such file\n",
    });
  });

  it("a truncated event file: one line saying it is not JSON, exit code 3", async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), "invoke-"));
    const path = join(dir, "truncated.json");
    writeFileSync(path, readFileSync(join(ROOT, "events/api-hello.json"), "utf8").slice(0, 40));

    // Act
    const failure = run(join(BIN, "tsx"), ["scripts/invoke.ts", "hello", path], {
      cwd: ROOT,
      env: ENV,
    });

    // Assess
    await expect(failure).rejects.toMatchObject({
      code: 3,
      stdout: "",
      stderr: expect.stringMatching(new RegExp(`^Event file ${path} is not valid JSON: [^\n]+\n$`)),
    });
  });
});
