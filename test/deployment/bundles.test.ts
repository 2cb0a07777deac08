/**
 * Which AWS SDK clients each function's deployment bundle loads at cold start. The SDK is
 * external (the runtime ships it), but requiring a client still costs ~90 ms of a cold start:
 * a function that makes no AWS call must load none (the define step once loaded the DynamoDB
 * client through the shared handlers module), and the others exactly the clients they call.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunction } from "../../scripts/bundle";
import { entryOf, FUNCTION_NAMES } from "../../scripts/registry";

// Under the git-ignored .esbuild/, like serverless-esbuild's own output.
const BUILD_DIR = join(resolve(__dirname, "..", ".."), ".esbuild");
mkdirSync(BUILD_DIR, { recursive: true });
const OUT_DIR = mkdtempSync(join(BUILD_DIR, "bundles-test-"));

afterAll(() => {
  rmSync(OUT_DIR, { recursive: true, force: true });
});

describe("deployment bundles", () => {
  // The expected modules are the registry's `sdkModules` (scripts/registry.ts).
  test.each(FUNCTION_NAMES)("%s loads only the AWS SDK clients it calls", async (name) => {
    // Prepare
    const { handler, sdkModules } = entryOf(name);

    // Act
    const { externals } = await bundleFunction(handler, join(OUT_DIR, `${name}.js`));

    // Assess
    expect(externals).toEqual([...sdkModules].sort());
  });
});
