/**
 * A green `npm test` looks green: the AWS SDK's Node-version warning is silenced for the
 * workers and every process a test spawns (on a Node 20 machine it was printed once per
 * worker and child).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

describe("test output", () => {
  it("a process spawned with the test environment prints no AWS SDK Node-version warning", async () => {
    // Act: what an SDK client does at construction, told it runs on Node 20.
    const { stderr } = await run(
      process.execPath,
      [
        "-e",
        'require("@aws-sdk/core").emitWarningIfUnsupportedVersion("v20.20.2"); setTimeout(() => {}, 50);',
      ],
      { cwd: `${__dirname}/../..`, env: process.env },
    );

    // Assess
    expect(stderr).not.toContain("NodeVersionSupportWarning");
  });

  it("the same process without it would warn (the check above can fail)", async () => {
    // Prepare
    const env = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;

    // Act
    const { stderr } = await run(
      process.execPath,
      [
        "-e",
        'require("@aws-sdk/core").emitWarningIfUnsupportedVersion("v20.20.2"); setTimeout(() => {}, 50);',
      ],
      { cwd: `${__dirname}/../..`, env },
    );

    // Assess
    expect(stderr).toContain("NodeVersionSupportWarning");
  });
});
