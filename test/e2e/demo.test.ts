/**
 * `npm run demo` as a user runs it with no `npm run dev` stack: it starts its own stack on free
 * ports, runs every step (sign-up through the legacy user's migration) and stops the stack.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

jest.setTimeout(180_000);

describe("npm run demo", () => {
  it("starts its own stack, every step ok, exit code 0", async () => {
    // Prepare: a stack file no `npm run dev` wrote.
    const stackFile = join(mkdtempSync(join(tmpdir(), "demo-")), "stack.json");

    // Act
    const { stdout } = await run(TSX, ["scripts/demo.ts"], {
      cwd: ROOT,
      env: { ...process.env, DEV_STACK_FILE: stackFile },
      timeout: 150_000,
    });

    // Assess
    expect(stdout).toContain("No `npm run dev` stack is running: starting one");
    expect(stdout).not.toContain("FAIL");
    expect(stdout.match(/^ok {3}/gm)).toHaveLength(8);
    expect(stdout).toContain(
      "== 8. Sign in as jane.doe@example.com, a legacy user the pool does not know (cognito-local runs UserMigration)",
    );
    expect(stdout).not.toContain("migrated by an earlier run");
    expect(stdout).toMatch(/"userMigration": 1/);
    expect(stdout.trimEnd().endsWith("Demo complete.")).toBe(true);
  });
});
