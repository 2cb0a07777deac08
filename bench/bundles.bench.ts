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
import { localEnvironment } from "../scripts/local-env";
import { entryOf, FUNCTION_NAMES } from "../scripts/registry";
import { type BenchRow, median } from "./lib";

const ROOT = resolve(__dirname, "..");
const SIZE_TARGET_KB = 150;
const IMPORT_TARGET_MS = 50;
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
  // Lines the bundle logs while it loads (the authorizer's cold-start notes) go to stdout too:
  // silence them so that stdout carries the figure alone.
  const script =
    "const w=process.stdout.write.bind(process.stdout);process.stdout.write=()=>true;" +
    "for(const m of JSON.parse(process.argv[2]))require(m);" +
    "const t=process.hrtime.bigint();require(process.argv[1]);" +
    "w(String(Number(process.hrtime.bigint()-t)/1e6))";
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
    for (const name of FUNCTION_NAMES) {
      const entry = entryOf(name);
      const { file, externals } = await bundleFunction(entry.handler, join(OUT_DIR, `${name}.js`));
      const kb = statSync(file).size / 1024;
      // Tighter targets for some (registry `bench.sizeKb`); a function with a bench of its own
      // (`bench.ownBench`) has its figures printed here only.
      const sizeTarget = entry.bench?.sizeKb ?? SIZE_TARGET_KB;
      const ownBench = entry.bench?.ownBench === true;
      const importTarget = entry.bench?.importMs ?? IMPORT_TARGET_MS;
      rows.push({
        name: `bundle: ${name} (minified, AWS SDK external)`,
        value: `${kb.toFixed(1)} KB`,
        ...(ownBench ? {} : { target: `< ${sizeTarget} KB`, ok: kb < sizeTarget }),
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
        ...(ownBench ? {} : { target: `< ${importTarget} ms`, ok: own < importTarget }),
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
