/**
 * The live-links store's local stand-in (local mode without a DynamoDB endpoint): the same
 * rules as the table, in one JSON file. No AWS SDK import.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type IssuedLink, type LiveLinkStore, LiveLinkStoreError } from "./live-link-store";

/**
 * Local stand-in (local mode, no DynamoDB endpoint): the live links in one JSON file
 * (`{ "<key>": { nonceHash, issuedAt, expiresAt } }`), same rules as the table. Not safe for
 * concurrent writers: it is for `npm run invoke` only.
 */
export function localLiveLinkStore(file: string): LiveLinkStore {
  type Links = Record<string, IssuedLink>;
  function load(): Links {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return Object.assign(Object.create(null), parsed) as Links;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && code !== "ENOENT") {
        throw new LiveLinkStoreError(`local magic-link file unreadable (${code})`);
      }
    }
    return Object.create(null) as Links;
  }
  function save(links: Links): void {
    try {
      mkdirSync(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(links, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
    } catch (error) {
      throw new LiveLinkStoreError(
        `local magic-link file not written (${(error as NodeJS.ErrnoException).code ?? "unknown"})`,
      );
    }
  }
  return {
    async issue(key, link, throttleSeconds) {
      const links = load();
      const current = links[key];
      if (current !== undefined && current.issuedAt > link.issuedAt - throttleSeconds) {
        return "throttled";
      }
      links[key] = { ...link };
      save(links);
      return "issued";
    },
    async consume(key, hash, nowMs) {
      const links = load();
      const current = links[key];
      if (
        current === undefined ||
        current.nonceHash !== hash ||
        current.expiresAt <= Math.floor(nowMs / 1000)
      ) {
        return "rejected";
      }
      delete links[key];
      save(links);
      return "consumed";
    },
  };
}
