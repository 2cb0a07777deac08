/**
 * Which AWS SDK clients each function's deployment bundle may require, and which it loads at
 * cold start. The SDK is external (the runtime ships it), but requiring a client still costs
 * ~90 ms of a cold start: a function that makes no AWS call must load none (the define step
 * once loaded the DynamoDB client through the shared handlers module), and the others only the
 * clients their path calls (pre-signup loads Cognito's on the first federated sign-in). The
 * cold-start part runs each bundle as a whole process in deployed mode (scripts/cold-start.ts);
 * the registry's `sdkModules` and `coldStart.lazySdkModules` say what is expected.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunction } from "../../scripts/bundle";
import {
  type ColdRun,
  coldStartCases,
  prepareCase,
  runCold,
  sdkModulesAtColdStart,
  startAwsStub,
} from "../../scripts/cold-start";
import { entryOf, FUNCTION_NAMES, type FunctionName } from "../../scripts/registry";

// Every bundle built twice, and a process or two for each case.
jest.setTimeout(120_000);

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

describe("cold start in deployed mode", () => {
  let stub: Awaited<ReturnType<typeof startAwsStub>>;
  const bundles = new Map<FunctionName, string>();
  beforeAll(async () => {
    stub = await startAwsStub();
    for (const name of FUNCTION_NAMES) {
      const { file } = await bundleFunction(
        entryOf(name).handler,
        join(OUT_DIR, `cold-${name}.js`),
      );
      bundles.set(name, file);
    }
  });
  afterAll(async () => {
    await stub?.close();
  });

  function bundleOf(name: FunctionName): string {
    const file = bundles.get(name);
    if (file === undefined) throw new Error(`no bundle for ${name}`);
    return file;
  }

  test.each(FUNCTION_NAMES)("%s loads at cold start only the clients listed for it", async (fn) => {
    // Prepare
    const prepared = prepareCase(
      { fn, events: [], awsFree: false },
      bundleOf(fn),
      stub.url,
      OUT_DIR,
    );

    // Act
    const run = await runCold(process.execPath, prepared, false);

    // Assess
    expect(run.coldStart).toEqual(sdkModulesAtColdStart(fn));
  });

  test.each(coldStartCases().map((c) => [c.fn, c.events.join(", "), c] as const))(
    "%s on %s: handled, and loads only what its path calls",
    async (_fn, _events, c) => {
      // Prepare
      const prepared = prepareCase(c, bundleOf(c.fn), stub.url, OUT_DIR);

      // Act
      const real: ColdRun = await runCold(process.execPath, prepared, false);
      const stubbed: ColdRun = await runCold(process.execPath, prepared, true);

      // Assess: both processes take the path the bench measures (not an error path)...
      expect(real.outcomes.map((o) => o.ok)).toEqual(c.events.map(() => true));
      expect(stubbed.outcomes.map((o) => o.ok)).toEqual(c.events.map(() => true));
      // ...and an event that calls no AWS API loads no client, on the first event either.
      if (c.awsFree) expect(real.afterEvents).toEqual([]);
      else expect(real.afterEvents.length).toBeGreaterThan(0);
    },
  );

  test.each(["createAuthChallenge", "verifyAuthChallenge"] as const)(
    "%s with magic links off (the default) never loads the KMS client",
    async (fn) => {
      // Prepare
      const cases = coldStartCases().filter((c) => c.fn === fn);
      expect(cases.length).toBeGreaterThan(0);

      for (const c of cases) {
        // Act
        const prepared = prepareCase(c, bundleOf(fn), stub.url, OUT_DIR);
        const run = await runCold(process.execPath, prepared, false);

        // Assess: off (serverless.yml sets the name empty), and KMS neither at cold start nor after.
        expect(prepared.env.CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME ?? "").toBe("");
        expect(run.outcomes.map((o) => o.ok)).toEqual(c.events.map(() => true));
        expect(run.coldStart).not.toContain("@aws-sdk/client-kms");
        expect(run.afterEvents).not.toContain("@aws-sdk/client-kms");
      }
    },
  );

  test("pre-signup loads the Cognito client on its first federated sign-in", async () => {
    // Prepare
    const [federated] = coldStartCases().filter(
      (c) => c.fn === "preSignUp" && c.events.includes("pre-signup-external-provider.json"),
    );
    if (federated === undefined) throw new Error("no federated pre-signup case");

    // Act
    const run = await runCold(
      process.execPath,
      prepareCase(federated, bundleOf("preSignUp"), stub.url, OUT_DIR),
      false,
    );

    // Assess
    expect(run.coldStart).toEqual([]);
    expect(run.afterEvents).toEqual(["@aws-sdk/client-cognito-identity-provider"]);
    expect(run.outcomes).toEqual([expect.objectContaining({ ok: true })]);
  });
});

test("the registry's cold-start expectations are what the bench and this test need", () => {
  // Lazy modules must be modules the bundle requires; every function runs or says why not.
  for (const fn of FUNCTION_NAMES) {
    const { sdkModules, coldStart } = entryOf(fn);
    for (const lazy of coldStart?.lazySdkModules ?? []) expect(sdkModules).toContain(lazy);
  }
  const run = new Set(coldStartCases().map((c) => c.fn));
  const unexplained = FUNCTION_NAMES.filter(
    (fn) => !run.has(fn) && entryOf(fn).coldStart?.skipReason === undefined,
  );
  expect(unexplained).toEqual([]);
  // The lazy clients today, and why they may be (docs/deployment.md, "Cold starts";
  // the authorizer's revocation read: docs/authorizer.md#revocation).
  expect(
    FUNCTION_NAMES.filter((fn) => (entryOf(fn).coldStart?.lazySdkModules ?? []).length > 0),
  ).toEqual(["preSignUp", "createAuthChallenge", "verifyAuthChallenge", "authorizer"]);
});
