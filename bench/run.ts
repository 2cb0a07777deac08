/**
 * `npm run bench [-- <prefix>]`: runs every `bench/*.bench.ts` module (or those whose name
 * starts with the prefix; a prefix matching none is refused) in one process and prints
 * its figures. Each module exports `run(): Promise<BenchRow[]>`; ratios are
 * measured within the same run so they do not depend on the machine's speed.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { BenchRow } from "./lib";

async function main(): Promise<void> {
  const only = process.argv[2];
  const all = readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .sort();
  const files = all.filter((f) => only === undefined || f.startsWith(only));
  if (files.length === 0 || process.argv.length > 3) {
    const names = all.map((f) => f.slice(0, -".bench.ts".length)).join(", ");
    process.stderr.write(
      `${process.argv.length > 3 ? "One filter at most" : `No bench matches "${only}"`}. ` +
        `Usage: npm run bench [-- <prefix>] with a prefix of: ${names}\n`,
    );
    process.exit(2);
  }
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
