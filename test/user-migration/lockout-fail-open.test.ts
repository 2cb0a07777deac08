/**
 * User migration's lockout store failures follow custom auth's rule, through the shared
 * `failOpen` (shared/lockout/fail-open.ts): what passes is logged with `"lockout":"fail-open"`
 * (the LockoutFailOpen alarm's line) and the sign-in goes on; a broken deployment fails closed.
 */
import type { UserMigrationTriggerEvent } from "aws-lambda";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import {
  type AttemptStore,
  AttemptStoreMisconfiguredError,
  AttemptStoreUnavailableError,
} from "../../shared/lockout/attempt-store";
import { createLogger } from "../../shared/logger";
import { loadUserMigrationConfig } from "../../shared/user-migration/config";
import { createUserMigrationHandler } from "../../shared/user-migration/handler";
import { parseLegacyHash, verifyPassword } from "../../shared/user-migration/hashes";
import { localFileLegacyStore } from "../../shared/user-migration/local-store";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";

/** A store whose every call fails with `error`. */
function failingStore(error: Error): AttemptStore {
  const fail = async (): Promise<never> => {
    throw error;
  };
  return { read: fail, recordFailure: fail, clearUnlessLocked: fail };
}

function handler(attempts: AttemptStore) {
  const config = loadUserMigrationConfig({
    LOCAL_MODE: "true",
    USER_MIGRATION_SOURCE: "dynamodb",
    USER_MIGRATION_TABLE_NAME: "legacy-users",
    CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts",
  });
  const table = config.table as NonNullable<typeof config.table>;
  return createUserMigrationHandler({
    config,
    logger: createLogger("userMigration"),
    store: localFileLegacyStore(
      table.localUsersFile,
      { hashField: table.hashField, emailVerifiedField: config.emailVerifiedField },
      { parse: parseLegacyHash, verify: verifyPassword, dummy: config.dummyHash },
    ),
    attempts,
  });
}

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

describe("user migration: lockout store failures", () => {
  it("fails open on what passes: migrated, each call logged for the alarm", async () => {
    // Prepare
    const event = loadEvent<UserMigrationTriggerEvent>("user-migration-authentication");

    // Act
    const result = await handler(failingStore(new AttemptStoreUnavailableError("throttled")))(
      event,
    );

    // Assess: the read and the clear both failed open.
    expect(result.response.finalUserStatus).toBe("CONFIRMED");
    const lines = output.jsonLines().filter((l) => l.lockout === "fail-open");
    expect(lines.map((l) => [l.level, l.operation])).toEqual([
      ["ERROR", "read"],
      ["ERROR", "clear"],
    ]);
    expect(output.text()).not.toContain("legacy-Passw0rd!");
  });

  it("fails closed on a broken deployment: the generic error, no migration", async () => {
    // Prepare
    const event = loadEvent<UserMigrationTriggerEvent>("user-migration-authentication");

    // Act
    const act = handler(failingStore(new AttemptStoreMisconfiguredError("no such table")))(event);

    // Assess
    await expect(act).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(output.jsonLines().some((l) => l.lockout === "fail-open")).toBe(false);
  });
});
