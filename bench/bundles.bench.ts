/**
 * Every function's deployment bundle: size (esbuild, minified, the AWS SDK external as in
 * serverless.yml) and cold import time of the bundle in a fresh `node` process (median of
 * several runs). Targets: under 150 KB, and under 50 ms for the bundle's own code: the
 * external AWS SDK modules it requires are loaded before the clock starts. The time
 * including them (what a cold start also pays for the runtime's SDK) is printed untargeted.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunction } from "../scripts/bundle";
import { FUNCTIONS } from "../scripts/functions";
import { localEnvironment } from "../scripts/local-env";
import { type BenchRow, median } from "./lib";

const ROOT = resolve(__dirname, "..");
const SIZE_TARGET_KB = 150;
/** Tighter size targets for some functions (the authorizer's is set by its issue). */
const SIZE_TARGETS_KB: Readonly<Record<string, number>> = { authorizer: 50, customMessage: 50 };
/**
 * Functions held to targets of their own elsewhere: the custom email sender carries the AWS
 * Encryption SDK (about 350 KB alone) and is measured against a minimal decrypt handler in
 * bench/messages.bench.ts; here its figures are printed only.
 */
const OWN_BENCH: ReadonlySet<string> = new Set(["customEmailSender"]);
const IMPORT_TARGET_MS = 50;
/** Tighter cold-import targets for some functions (the authorizer's: docs/authorizer.md#speed). */
const IMPORT_TARGETS_MS: Readonly<Record<string, number>> = { authorizer: 20 };
const RUNS = 7;

// Inside the checkout (under the git-ignored .esbuild/) so that the bundles' external
// `@aws-sdk/*` requires resolve from node_modules, as they do from the Lambda runtime.
const OUT_DIR = join(ROOT, ".esbuild", `bench-bundles-${process.pid}`);

/**
 * Milliseconds `require(bundle)` takes in a fresh node process (the function's environment
 * set). With `preload`, those modules (the external AWS SDK) are required before the clock
 * starts, so the figure is the bundle's own code.
 */
function coldImportMs(bundleFile: string, env: NodeJS.ProcessEnv, preload: string[] = []): number {
  const script =
    "for(const m of JSON.parse(process.argv[2]))require(m);" +
    "const t=process.hrtime.bigint();require(process.argv[1]);" +
    "process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))";
  const out = execFileSync(process.execPath, ["-e", script, bundleFile, JSON.stringify(preload)], {
    cwd: ROOT,
    env,
    // Module-load logs (e.g. a config error the handler reports per request) are not measured.
    stdio: ["ignore", "pipe", "ignore"],
  });
  return Number(out.toString().trim());
}

/** Bundle sizes and cold import times of every function in serverless.yml. */
export async function run(): Promise<BenchRow[]> {
  mkdirSync(OUT_DIR, { recursive: true });
  const rows: BenchRow[] = [];
  try {
    for (const [name, handler] of Object.entries(FUNCTIONS)) {
      const { file, externals } = await bundleFunction(handler, join(OUT_DIR, `${name}.js`));
      const kb = statSync(file).size / 1024;
      const sizeTarget = SIZE_TARGETS_KB[name] ?? SIZE_TARGET_KB;
      rows.push({
        name: `bundle: ${name} (minified, AWS SDK external)`,
        value: `${kb.toFixed(1)} KB`,
        ...(OWN_BENCH.has(name) ? {} : { target: `< ${sizeTarget} KB`, ok: kb < sizeTarget }),
      });
      const env = {
        PATH: process.env.PATH,
        ...localEnvironment(ROOT, name),
        IS_LOCAL: "true",
        AWS_REGION: "eu-west-1",
      };
      // Warm the OS file cache once, then measure fresh processes.
      coldImportMs(file, env);
      const own = median(Array.from({ length: RUNS }, () => coldImportMs(file, env, externals)));
      rows.push({
        name: `bundle: ${name} cold import (fresh node, median of ${RUNS})`,
        value: `${own.toFixed(1)} ms`,
        ...(OWN_BENCH.has(name)
          ? {}
          : {
              target: `< ${IMPORT_TARGETS_MS[name] ?? IMPORT_TARGET_MS} ms`,
              ok: own < (IMPORT_TARGETS_MS[name] ?? IMPORT_TARGET_MS),
            }),
      });
      if (externals.length > 0) {
        // For information: the same, paying for the SDK modules too (the runtime's copy in AWS).
        const total = median(Array.from({ length: RUNS }, () => coldImportMs(file, env)));
        rows.push({
          name: `bundle: ${name} cold import incl. ${externals.length} AWS SDK module(s)`,
          value: `${total.toFixed(1)} ms`,
        });
      }
    }
  } finally {
    rmSync(OUT_DIR, { recursive: true, force: true });
  }
  return rows;
}
