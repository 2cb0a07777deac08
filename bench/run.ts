/**
 * `npm run bench`: runs every `bench/*.bench.ts` module in one process and prints
 * its figures. Each module exports `run(): Promise<BenchRow[]>`; ratios are
 * measured within the same run so they do not depend on the machine's speed.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { BenchRow } from "./lib";

async function main(): Promise<void> {
  const only = process.argv[2];
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => only === undefined || f.startsWith(only))
    .sort();
  const rows: BenchRow[] = [];
  for (const file of files) {
    const mod = (await import(join(__dirname, file))) as { run: () => Promise<BenchRow[]> };
    const produced = await mod.run();
    rows.push(...produced);
    for (const row of produced) {
      const target = row.target === undefined ? "" : `  (target ${row.target})`;
      const verdict = row.ok === undefined ? "" : row.ok ? "  OK" : "  MISSED";
      process.stdout.write(`${row.name.padEnd(60)} ${row.value}${target}${verdict}\n`);
    }
  }
  const missed = rows.filter((r) => r.ok === false).length;
  process.stdout.write(`\n${rows.length} figures, ${missed} targets missed\n`);
}

void main();
