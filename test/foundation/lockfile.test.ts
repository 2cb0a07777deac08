/**
 * `npm ci` refuses a lock that lacks an optional platform package (CI failed on exactly
 * that): the check of scripts/complete-lock.mjs must pass on the committed lock, and must
 * catch a lock with such an entry missing.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const SCRIPT = join(ROOT, "scripts", "complete-lock.mjs");
const LOCK = join(ROOT, "package-lock.json");

describe("package-lock.json", () => {
  it("records every optional dependency, so npm ci accepts it", async () => {
    // Act
    const { stdout } = await run(process.execPath, [SCRIPT, "--check", LOCK]);
    // Assess
    expect(stdout).not.toContain("missing");
  });

  it("the check names an optional platform package that is missing", async () => {
    // Prepare
    const lock = JSON.parse(readFileSync(LOCK, "utf8")) as {
      packages: Record<string, unknown>;
    };
    delete lock.packages["node_modules/@biomejs/cli-darwin-arm64"];
    const dir = mkdtempSync(join(tmpdir(), "lock-"));
    const copy = join(dir, "package-lock.json");
    writeFileSync(copy, JSON.stringify(lock));
    try {
      // Act
      const failure = await run(process.execPath, [SCRIPT, "--check", copy]).then(
        () => undefined,
        (error: { code: number; stdout: string }) => error,
      );
      // Assess
      expect(failure?.code).toBe(1);
      expect(failure?.stdout).toContain("@biomejs/cli-darwin-arm64@");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
