/**
 * The local stand-ins of the provisioning adapters (local mode without an engine endpoint,
 * `npm run invoke`): the same interfaces as the AWS adapters, chosen in adapters.ts.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "../logger";
import type { GroupMembership } from "./groups";
import type { ProfileLookup, ProfileStore } from "./profiles";

/**
 * Local stand-in (local mode, no Cognito endpoint): logs the call it would make.
 * Like the real call it is idempotent (it changes nothing).
 */
export function localGroupMembership(logger: Logger): GroupMembership {
  return {
    async addUserToGroup(userPoolId, username, group) {
      logger.info("LOCAL stand-in: AdminAddUserToGroup not sent", {
        userPoolId,
        username,
        group,
      });
    },
  };
}

/**
 * Local stand-in (local mode, no DynamoDB endpoint): appends each new profile as one
 * JSON line to `file` and, like the conditional put, leaves an existing `sub` alone.
 * Not safe for concurrent writers; it is for `npm run invoke` only.
 */
export function jsonLinesProfileStore(file: string): ProfileStore & ProfileLookup {
  async function has(sub: string): Promise<boolean> {
    let existing = "";
    try {
      existing = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const line of existing.split("\n")) {
      if (line.trim() === "") continue;
      try {
        if ((JSON.parse(line) as { sub?: unknown }).sub === sub) return true;
      } catch {
        // A hand-edited, broken line: ignore it rather than block local work.
      }
    }
    return false;
  }
  return {
    exists: has,
    async putIfAbsent(profile) {
      if (await has(profile.sub)) return "exists";
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify(profile)}\n`, "utf8");
      return "created";
    },
  };
}
