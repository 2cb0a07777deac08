/**
 * The local stand-in of the legacy table (local mode without a DynamoDB endpoint, `npm run
 * invoke`): legacy users in a JSON file. Loads no AWS SDK.
 */
import { readFileSync } from "node:fs";
import { type LegacyTableShape, recordLegacyStore } from "./record-store";
import { type HashChecker, LegacyStoreUnavailableError, type LegacyUserStore } from "./store";

/**
 * Local stand-in (local mode, no DynamoDB endpoint): legacy users in a JSON file,
 * `{ "<user name>": { <fields>, "<hash field>": "..." } }`, read on every call. Never used in
 * AWS: local mode is refused in a deployed function.
 */
export function localFileLegacyStore(
  file: string,
  shape: Pick<LegacyTableShape, "hashField" | "emailVerifiedField">,
  hashes: HashChecker,
): LegacyUserStore {
  return recordLegacyStore(
    async (userName) => {
      let users: unknown;
      try {
        users = JSON.parse(readFileSync(file, "utf8"));
      } catch (error) {
        throw new LegacyStoreUnavailableError(
          `local legacy users file unreadable (${(error as NodeJS.ErrnoException).code ?? "invalid JSON"})`,
        );
      }
      const entry =
        typeof users === "object" && users !== null && Object.hasOwn(users, userName)
          ? (users as Record<string, unknown>)[userName]
          : undefined;
      return typeof entry === "object" && entry !== null && !Array.isArray(entry)
        ? Object.assign(Object.create(null), entry)
        : undefined;
    },
    shape,
    hashes,
  );
}
