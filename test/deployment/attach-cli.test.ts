/**
 * `npm run attach-triggers` as a user types it: help text, unknown flags refused, ids checked
 * before any AWS call, and missing credentials explained in one line.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ATTACH_HELP, parseAttachArgs } from "../../scripts/attach-args";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/** An environment with no AWS credentials anywhere (and no instance metadata lookup). */
const NO_CREDENTIALS: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: "/nonexistent",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

function attach(...args: string[]) {
  return run(TSX, ["scripts/attach-triggers.ts", ...args], { cwd: ROOT, env: NO_CREDENTIALS });
}

describe("attach-triggers command line (parser)", () => {
  it("a full command line", () => {
    expect(
      parseAttachArgs([
        "--stage",
        "prod",
        "--pool=eu-west-1_AbCdEf123",
        "--pre-token-version",
        "V3_0",
        "--force",
        "--dry-run",
      ]),
    ).toEqual({
      kind: "run",
      stage: "prod",
      userPoolId: "eu-west-1_AbCdEf123",
      region: "eu-west-1",
      preTokenVersion: "V3_0",
      force: true,
      detach: false,
      replace: false,
      dryRun: true,
    });
  });

  it("--help wins over everything else, even missing required flags", () => {
    expect(parseAttachArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseAttachArgs(["--pool", "x", "-h"])).toEqual({ kind: "help" });
  });

  it.each([
    [["--stage", "prod", "--pool", "eu-west-1_A1", "--dryrun"], 'unknown argument "--dryrun"'],
    [["--stage", "prod", "--pool", "eu-west-1_A1", "extra"], 'unknown argument "extra"'],
    [["--stage", "prod", "--pool", "bogus"], '--pool "bogus" is not a user pool id'],
    [["--stage", "prod", "--pool", "eu-west-1_"], "is not a user pool id"],
    [["--stage", "prod"], "--pool <userPoolId> is required"],
    [["--pool", "eu-west-1_A1"], "--stage <stage> is required"],
    [["--stage", "a b", "--pool", "eu-west-1_A1"], '--stage "a b" is not a stage name'],
    [["--stage", "prod", "--pool", "eu-west-1_A1", "--region", "Ireland"], "not a region name"],
    [["--stage", "--pool", "eu-west-1_A1"], "--stage needs a value"],
    [["--stage", "p", "--stage", "q", "--pool", "eu-west-1_A1"], "--stage given twice"],
    [["--stage", "p", "--pool", "eu-west-1_A1", "--pre-token-version", "V1_0"], "must be one of"],
  ])("refuses %j", (argv, message) => {
    expect(() => parseAttachArgs(argv)).toThrow(message);
  });
});

describe("attach-triggers command line (as run)", () => {
  it("--help prints the help text and exits 0", async () => {
    const { stdout } = await attach("--help");
    expect(stdout).toBe(ATTACH_HELP);
    expect(stdout).toContain("--dry-run");
  });

  it("an unknown flag is refused with exit code 2 before anything else", async () => {
    await expect(
      attach("--stage", "prod", "--pool", "eu-west-1_AbCdEf123", "--dry-rnu"),
    ).rejects.toMatchObject({ code: 2, stderr: 'unknown argument "--dry-rnu" (see --help)\n' });
  });

  it("a malformed pool id is refused locally (no credentials needed to learn it)", async () => {
    await expect(attach("--stage", "prod", "--pool", "bogus", "--dry-run")).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^--pool "bogus" is not a user pool id[^\n]*\n$/),
    });
  });

  it("no credentials: one line saying how to provide them, no SDK message or stack", async () => {
    await expect(
      attach("--stage", "prod", "--pool", "eu-west-1_AbCdEf123", "--dry-run"),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^No AWS credentials found: set AWS_PROFILE [^\n]*\n$/),
    });
  });
});
