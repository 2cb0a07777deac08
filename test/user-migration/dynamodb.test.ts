/**
 * User migration against a legacy users table and the cross-sign-in attempts table, both in
 * dynalite: sign-in migration with each hash scheme, one refusal text for unknown users and
 * wrong passwords, failures counted in the custom-auth lockout, forgot-password migration.
 */
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { UserMigrationTriggerEvent } from "aws-lambda";
import bcrypt from "bcryptjs";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import { ATTEMPTS_KEY, dynamoAttemptStore } from "../../shared/lockout/dynamodb-attempt-store";
import { createLogger } from "../../shared/logger";
import { loadUserMigrationConfig } from "../../shared/user-migration/config";
import {
  dynamoLegacyStore,
  legacyUsersTableDefinition,
} from "../../shared/user-migration/dynamo-store";
import {
  createUserMigrationHandler,
  MIGRATION_REFUSED_MESSAGE,
} from "../../shared/user-migration/handler";
import { parseLegacyHash, verifyPassword } from "../../shared/user-migration/hashes";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";

const LEGACY = "legacy-users";
const ATTEMPTS = "attempts";
const PASSWORD = "legacy-Passw0rd!";
const POOL = "eu-west-1_EXAMPLE01";

let dynamo: LocalDynamo;
let output: CapturedOutput;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(legacyUsersTableDefinition(LEGACY));
  await dynamo.createAttemptsTable(ATTEMPTS);
  await putUser("jane.doe@example.com", bcrypt.hashSync(PASSWORD, 4), {
    emailVerified: { BOOL: true },
  });
  await putUser("unverified@example.com", bcrypt.hashSync(PASSWORD, 4), {
    emailVerified: { BOOL: false },
  });
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

async function putUser(username: string, hash: string, extra: Record<string, object> = {}) {
  await dynamo.client.send(
    new PutItemCommand({
      TableName: LEGACY,
      Item: {
        username: { S: username },
        passwordHash: { S: hash },
        email: { S: username.replace("jane.doe", "Jane.Doe") },
        given_name: { S: "Jane" },
        family_name: { S: "Doe" },
        legacy_internal_id: { N: "1234" },
        ...extra,
      },
    }),
  );
}

function handler(env: Record<string, string> = {}) {
  const config = loadUserMigrationConfig({
    USER_MIGRATION_SOURCE: "dynamodb",
    USER_MIGRATION_TABLE_NAME: LEGACY,
    CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: ATTEMPTS,
    CUSTOM_AUTH_LOCKOUT_THRESHOLD: "3",
    // A cheap dummy in tests; the bench measures the real default.
    USER_MIGRATION_DUMMY_HASH: bcrypt.hashSync("dummy", 4),
    ...env,
  });
  const attempts = dynamoAttemptStore(dynamo.client, ATTEMPTS);
  const store = dynamoLegacyStore(
    dynamo.client,
    {
      ...(config.table as NonNullable<typeof config.table>),
      emailVerifiedField: config.emailVerifiedField,
    },
    { parse: parseLegacyHash, verify: verifyPassword, dummy: config.dummyHash },
  );
  return createUserMigrationHandler({
    config,
    logger: createLogger("userMigration"),
    store,
    attempts,
  });
}

async function failures(userName: string): Promise<number | undefined> {
  const out = await dynamo.client.send(
    new GetItemCommand({
      TableName: ATTEMPTS,
      Key: { [ATTEMPTS_KEY]: { S: `${POOL}#${userName}` } },
    }),
  );
  return out.Item?.failures?.N === undefined ? undefined : Number(out.Item.failures.N);
}

function event(name: string, userName?: string, password?: string): UserMigrationTriggerEvent {
  const e = loadEvent<UserMigrationTriggerEvent>(name);
  if (userName !== undefined) e.userName = userName;
  if (password !== undefined) e.request.password = password;
  return e;
}

describe("user migration from a DynamoDB table", () => {
  test("sign-in with the right password: CONFIRMED, SUPPRESS, mapped attributes, email_verified", async () => {
    // Act
    const result = await handler()(event("user-migration-authentication"));

    // Assess
    expect(result.response).toMatchObject({
      userAttributes: {
        email: "jane.doe@example.com",
        email_verified: "true",
        given_name: "Jane",
        family_name: "Doe",
      },
      finalUserStatus: "CONFIRMED",
      messageAction: "SUPPRESS",
    });
    expect(Object.keys(result.response.userAttributes)).not.toContain("passwordHash");
    expect(output.text()).not.toContain(PASSWORD);
  });

  test("email_verified is not set when the legacy system did not verify the address", async () => {
    // Act
    const result = await handler()(
      event("user-migration-authentication", "Unverified@example.com"),
    );

    // Assess
    expect(result.response.userAttributes.email).toBe("unverified@example.com");
    expect(result.response.userAttributes).not.toHaveProperty("email_verified");
  });

  test("unknown user and wrong password: the same error text, and each counts a failure", async () => {
    // Prepare
    const wrong = event("user-migration-authentication-wrong-password");
    const unknown = event("user-migration-authentication-unknown-user");
    const before = (await failures(wrong.userName)) ?? 0;

    // Act
    const wrongError = await handler()(wrong).catch((e: Error) => e);
    const unknownError = await handler()(unknown).catch((e: Error) => e);

    // Assess
    expect((wrongError as Error).message).toBe(MIGRATION_REFUSED_MESSAGE);
    expect((unknownError as Error).message).toBe(MIGRATION_REFUSED_MESSAGE);
    expect(await failures(wrong.userName)).toBe(before + 1);
    expect(await failures(unknown.userName)).toBe(1);
    expect(output.text()).not.toContain("not-the-password");
  });

  test("the lockout: after the threshold the right password is refused too, until the window ends", async () => {
    // Prepare
    const name = "locked.user@example.com";
    await putUser(name, bcrypt.hashSync(PASSWORD, 4));
    const migrate = handler();
    for (let i = 0; i < 3; i++) {
      await expect(migrate(event("user-migration-authentication", name, "wrong"))).rejects.toThrow(
        MIGRATION_REFUSED_MESSAGE,
      );
    }

    // Act
    const error = await migrate(event("user-migration-authentication", name)).catch(
      (e: Error) => e,
    );

    // Assess
    expect((error as Error).message).toBe(MIGRATION_REFUSED_MESSAGE);
    expect(await failures(name)).toBe(3);
  });

  test("a right password clears earlier failures under the threshold", async () => {
    // Prepare
    const name = "twice.wrong@example.com";
    await putUser(name, bcrypt.hashSync(PASSWORD, 4));
    const migrate = handler();
    await expect(migrate(event("user-migration-authentication", name, "wrong"))).rejects.toThrow();

    // Act
    await migrate(event("user-migration-authentication", name));

    // Assess
    expect(await failures(name)).toBeUndefined();
  });

  test("a stored hash in an unknown scheme refuses with the same text", async () => {
    // Prepare
    await putUser("md5.user@example.com", "5f4dcc3b5aa765d61d8327deb882cf99");

    // Act / Assess
    await expect(
      handler()(event("user-migration-authentication", "md5.user@example.com")),
    ).rejects.toThrow(MIGRATION_REFUSED_MESSAGE);
  });

  test("forgot password migrates the user without a password check", async () => {
    // Act
    const result = await handler()(event("user-migration-forgot-password"));

    // Assess
    expect(result.response).toMatchObject({
      userAttributes: { email: "jane.doe@example.com", email_verified: "true" },
      finalUserStatus: "CONFIRMED",
      messageAction: "SUPPRESS",
    });
  });

  test("forgot password for an unknown user: the same refusal", async () => {
    // Act / Assess
    await expect(
      handler()(event("user-migration-forgot-password", "nobody@example.com")),
    ).rejects.toThrow(MIGRATION_REFUSED_MESSAGE);
  });

  test("a missing legacy table gives the generic error, never a stack trace", async () => {
    // Act
    const error = await handler({ USER_MIGRATION_TABLE_NAME: "no-such-table" })(
      event("user-migration-authentication"),
    ).catch((e: Error) => e);

    // Assess
    expect((error as Error).message).toBe(GENERIC_ERROR_MESSAGE);
  });

  test("an event from another trigger is refused with the generic error", async () => {
    // Prepare
    const wrong = event("user-migration-authentication") as unknown as { triggerSource: string };
    wrong.triggerSource = "PreSignUp_SignUp";

    // Act / Assess
    await expect(handler()(wrong as unknown as UserMigrationTriggerEvent)).rejects.toThrow(
      GENERIC_ERROR_MESSAGE,
    );
  });
});
