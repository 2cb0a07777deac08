/** Test fixtures: the sample events in `events/`, loaded once and cloned per use. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const cache = new Map<string, unknown>();

/** A fresh deep copy of `events/<name>` (with or without `.json`), typed as `T`. */
export function loadEvent<T>(name: string): T {
  const file = name.endsWith(".json") ? name : `${name}.json`;
  let parsed = cache.get(file);
  if (parsed === undefined) {
    parsed = JSON.parse(readFileSync(join(__dirname, "..", "..", "events", file), "utf8"));
    cache.set(file, parsed);
  }
  return structuredClone(parsed) as T;
}
