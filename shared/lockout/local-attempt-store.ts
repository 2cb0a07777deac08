/**
 * The local stand-in of {@link AttemptStore} (local mode without a DynamoDB endpoint, `npm run
 * invoke`): the counters in one JSON file, with the same rules as the table. Loads no AWS SDK.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  type AttemptStore,
  AttemptStoreUnavailableError,
  epochSeconds,
  type FailureCount,
} from "./attempt-store";
import { isLockedOut } from "./decide";

/**
 * Local stand-in (local mode, no DynamoDB endpoint): the counters in one JSON file
 * (`{ "<key>": { "failures": n, "expiresAt": s } }`), with the same rules as the table.
 * Read-modify-write, not safe for concurrent writers: it is for `npm run invoke` only.
 * Delete the file to unlock every user.
 */
export function localFileAttemptStore(file: string): AttemptStore {
  type Counters = Record<string, { failures: number; expiresAt: number }>;

  function load(): Counters {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw new AttemptStoreUnavailableError(
        `local attempts file unreadable (${(error as NodeJS.ErrnoException).code ?? "unknown"})`,
      );
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return Object.assign(Object.create(null), parsed) as Counters;
      }
    } catch {
      // A hand-edited, broken file: start again rather than block local work.
    }
    return {};
  }

  function save(counters: Counters): void {
    try {
      mkdirSync(dirname(file), { recursive: true });
      // Write then rename, so a reader never sees half a file.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(counters, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
    } catch (error) {
      throw new AttemptStoreUnavailableError(
        `local attempts file not written (${(error as NodeJS.ErrnoException).code ?? "unknown"})`,
      );
    }
  }

  function live(counters: Counters, key: string, nowMs: number): FailureCount | undefined {
    const entry = counters[key];
    if (entry === undefined || entry.expiresAt <= epochSeconds(nowMs)) return undefined;
    return { failures: entry.failures, windowEndsAt: entry.expiresAt };
  }

  return {
    async read(key, nowMs) {
      return live(load(), key, nowMs);
    },
    async recordFailure(key, nowMs, windowSeconds) {
      const counters = load();
      const current = live(counters, key, nowMs);
      const next = {
        failures: (current?.failures ?? 0) + 1,
        expiresAt: current?.windowEndsAt ?? epochSeconds(nowMs) + windowSeconds,
      };
      counters[key] = next;
      save(counters);
      return { failures: next.failures, windowEndsAt: next.expiresAt };
    },
    async clearUnlessLocked(key, nowMs, threshold) {
      const counters = load();
      const current = live(counters, key, nowMs);
      if (isLockedOut(current, threshold, nowMs)) return "locked";
      if (key in counters) {
        delete counters[key];
        save(counters);
      }
      return "cleared";
    },
  };
}
