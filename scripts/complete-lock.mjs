#!/usr/bin/env node
// Adds lock entries for optional, platform-specific packages that `npm install`
// left out because the registry this machine reaches lacks their exact version.
// Without them `npm ci` refuses the lock ("Missing: … from lock file").
// Each entry carries os/cpu/libc, so npm ci skips it on other platforms without
// fetching it. Run after every `npm install`: `node scripts/complete-lock.mjs`.
// With `--check` it writes nothing and exits 1 if an entry is missing (npm test runs it).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

// The lock to complete: the first argument that is not an option, or the project's own.
const lockPath =
  process.argv.slice(2).find((a) => !a.startsWith("--")) ??
  new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const pkgs = lock.packages;

const inferPlatform = (name) => {
  const tail = name.split("/").pop();
  const os = ["android", "darwin", "freebsd", "linux", "win32", "openharmony"].find((o) =>
    tail.includes(o),
  );
  const cpu = ["arm64", "x64", "ia32", "arm", "ppc64", "s390x", "riscv64", "loong64"].find((c) =>
    new RegExp(`-${c}(-|$)`).test(tail),
  );
  const libc = /musl/.test(tail) ? ["musl"] : /-gnu/.test(tail) ? ["glibc"] : undefined;
  return { os: os && [os], cpu: cpu && [cpu], libc };
};

const view = (spec) => {
  try {
    return JSON.parse(
      execFileSync("npm", ["view", spec, "--json"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    );
  } catch {
    return undefined;
  }
};

const check = process.argv.includes("--check");
let added = 0;
for (const [path, entry] of Object.entries(pkgs)) {
  for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === "" ? "" : `${path}/`;
    if (pkgs[`${base}node_modules/${dep}`] || pkgs[`node_modules/${dep}`]) continue;
    const version = range.replace(/^[\^~=]/, "");
    if (check) {
      console.log(`missing from package-lock.json: ${dep}@${version}`);
      added += 1;
      continue;
    }
    const meta = view(`${dep}@${version}`);
    const guess = inferPlatform(dep);
    const record = {
      version,
      ...(meta?.dist?.integrity ? { integrity: meta.dist.integrity } : {}),
      ...(meta?.license ? { license: meta.license } : {}),
      ...((meta?.cpu ?? guess.cpu) ? { cpu: meta?.cpu ?? guess.cpu } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...((meta?.libc ?? guess.libc) ? { libc: meta?.libc ?? guess.libc } : {}),
      optional: true,
      ...((meta?.os ?? guess.os) ? { os: meta?.os ?? guess.os } : {}),
    };
    pkgs[`node_modules/${dep}`] = record;
    added += 1;
    console.log(`added ${dep}@${version}${meta ? "" : " (not in registry; platform from name)"}`);
  }
}
if (check) {
  if (added > 0)
    console.log("run `node scripts/complete-lock.mjs`, or `npm ci` will refuse the lock");
  process.exit(added > 0 ? 1 : 0);
}
lock.packages = Object.fromEntries(
  Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${added} entries added`);
