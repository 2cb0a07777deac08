/**
 * Which AWS SDK clients each function's deployment bundle may require, and which it loads at
 * cold start. The SDK is external (the runtime ships it), but requiring a client still costs
 * ~90 ms of a cold start: a function that makes no AWS call must load none (the define step
 * once loaded the DynamoDB client through the shared handlers module), and the others only the
 * clients their path calls (pre-signup loads Cognito's on the first federated sign-in). The
 * cold-start part runs each bundle as a whole process in deployed mode (scripts/cold-start.ts).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunction } from "../../scripts/bundle";
import {
  type ColdRun,
  coldStartCases,
  prepareCase,
  runCold,
  startAwsStub,
} from "../../scripts/cold-start";
import { FUNCTIONS, type FunctionName } from "../../scripts/functions";

// Eleven bundles and a process for each case.
jest.setTimeout(120_000);

const COGNITO = "@aws-sdk/client-cognito-identity-provider";
const DYNAMODB = "@aws-sdk/client-dynamodb";
const SES = "@aws-sdk/client-sesv2";
const KMS = "@aws-sdk/client-kms";
// Powertools Idempotency marshals its records with it.
const DYNAMODB_UTIL = "@aws-sdk/util-dynamodb";

const EXPECTED: Readonly<Record<keyof typeof FUNCTIONS, readonly string[]>> = {
  preSignUp: [COGNITO],
  postConfirmation: [COGNITO, DYNAMODB],
  postAuthentication: [COGNITO, DYNAMODB],
  preTokenGeneration: [],
  defineAuthChallenge: [],
  createAuthChallenge: [DYNAMODB, SES],
  verifyAuthChallenge: [DYNAMODB],
  customMessage: [],
  customEmailSender: [DYNAMODB, DYNAMODB_UTIL, KMS, SES],
  authorizer: [],
  hello: [],
};

/**
 * The clients loaded at cold start, before any event: those every invocation's path calls, and
 * those whose first load would make one kind of user measurably slower than another (custom
 * auth's send and lockout read; docs/deployment.md, "Cold starts"). Pre-signup's Cognito client
 * is loaded on the first federated sign-in instead.
 */
const AT_COLD_START: Readonly<Record<FunctionName, readonly string[]>> = {
  ...EXPECTED,
  preSignUp: [],
};

// Under the git-ignored .esbuild/, like serverless-esbuild's own output.
const BUILD_DIR = join(resolve(__dirname, "..", ".."), ".esbuild");
mkdirSync(BUILD_DIR, { recursive: true });
const OUT_DIR = mkdtempSync(join(BUILD_DIR, "bundles-test-"));

afterAll(() => {
  rmSync(OUT_DIR, { recursive: true, force: true });
});

describe("deployment bundles", () => {
  test.each(Object.entries(FUNCTIONS))(
    "%s loads only the AWS SDK clients it calls",
    async (name, handler) => {
      // Act
      const { externals } = await bundleFunction(handler, join(OUT_DIR, `${name}.js`));

      // Assess
      expect(externals).toEqual(
        [...(EXPECTED[name as keyof typeof FUNCTIONS] ?? ["(unlisted)"])].sort(),
      );
    },
  );
});

describe("cold start in deployed mode", () => {
  let stub: Awaited<ReturnType<typeof startAwsStub>>;
  const bundles = new Map<FunctionName, string>();
  beforeAll(async () => {
    stub = await startAwsStub();
    for (const [name, handler] of Object.entries(FUNCTIONS)) {
      const { file } = await bundleFunction(handler, join(OUT_DIR, `cold-${name}.js`));
      bundles.set(name as FunctionName, file);
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

  test.each(Object.keys(FUNCTIONS))(
    "%s loads at cold start only the clients listed for it",
    async (name) => {
      // Prepare
      const fn = name as FunctionName;
      const prepared = prepareCase(
        { fn, events: [], awsFree: false },
        bundleOf(fn),
        stub.url,
        OUT_DIR,
      );

      // Act
      const run = await runCold(process.execPath, prepared, false);

      // Assess
      expect(run.coldStart).toEqual([...AT_COLD_START[fn]].sort());
    },
  );

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
    expect(run.afterEvents).toEqual([COGNITO]);
    expect(run.outcomes).toEqual([expect.objectContaining({ ok: true })]);
  });
});
