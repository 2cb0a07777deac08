/** `npm run bench -- <prefix>` runs the benches whose file name starts with it, and refuses a typo. */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

describe("npm run bench filter", () => {
  it("a prefix matching no bench is refused with the names to choose from, exit code 2", async () => {
    // Prepare
    const names = readdirSync(join(ROOT, "bench"))
      .filter((f) => f.endsWith(".bench.ts"))
      .map((f) => f.replace(/\.bench\.ts$/, ""));

    // Act
    const failure = run(TSX, ["bench/run.ts", "bogus"], { cwd: ROOT });

    // Assess: nothing measured, every bench named.
    await expect(failure).rejects.toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringContaining('No bench matches "bogus"'),
    });
    const { stderr } = (await failure.catch((error: unknown) => error)) as { stderr: string };
    for (const name of names) expect(stderr).toContain(name);
  });

  it("more than one filter is refused rather than half ignored", async () => {
    await expect(
      run(TSX, ["bench/run.ts", "authorizer", "bundles"], { cwd: ROOT }),
    ).rejects.toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringContaining("One filter at most"),
    });
  });
});
