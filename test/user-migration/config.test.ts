/** The user migration settings: required variables, defaults, and refusals naming the variable. */
import { ConfigError } from "../../shared/errors";
import {
  DEFAULT_ATTRIBUTE_MAP,
  DEFAULT_ENDPOINT_TIMEOUT_MS,
  loadUserMigrationConfig,
} from "../../shared/user-migration/config";

describe("loadUserMigrationConfig", () => {
  test("defaults for a DynamoDB source", () => {
    // Act
    const config = loadUserMigrationConfig({
      USER_MIGRATION_SOURCE: "dynamodb",
      USER_MIGRATION_TABLE_NAME: "legacy-users",
    });

    // Assess
    expect(config).toMatchObject({
      source: "dynamodb",
      table: { tableName: "legacy-users", keyAttribute: "username", hashField: "passwordHash" },
      endpoint: undefined,
      lowercaseUserName: true,
      attributeMap: DEFAULT_ATTRIBUTE_MAP,
      emailVerifiedField: "emailVerified",
      dummyHash: { scheme: "bcrypt", cost: 10 },
      lockout: undefined,
    });
  });

  test("an endpoint source with its defaults", () => {
    // Act
    const config = loadUserMigrationConfig({
      USER_MIGRATION_SOURCE: "endpoint",
      USER_MIGRATION_ENDPOINT_URL: "https://legacy.example.com/cognito-migration",
    });

    // Assess
    expect(config.endpoint).toMatchObject({
      token: undefined,
      timeoutMs: DEFAULT_ENDPOINT_TIMEOUT_MS,
    });
    expect(config.table).toBeUndefined();
  });

  test.each([
    [{}, "USER_MIGRATION_SOURCE"],
    [{ USER_MIGRATION_SOURCE: "ldap" }, "USER_MIGRATION_SOURCE"],
    [{ USER_MIGRATION_SOURCE: "dynamodb" }, "USER_MIGRATION_TABLE_NAME"],
    [{ USER_MIGRATION_SOURCE: "endpoint" }, "USER_MIGRATION_ENDPOINT_URL"],
    [
      { USER_MIGRATION_SOURCE: "endpoint", USER_MIGRATION_ENDPOINT_URL: "not a url" },
      "USER_MIGRATION_ENDPOINT_URL",
    ],
    [
      {
        USER_MIGRATION_SOURCE: "endpoint",
        USER_MIGRATION_ENDPOINT_URL: "http://legacy.example.com",
      },
      "USER_MIGRATION_ENDPOINT_URL",
    ],
    [
      {
        USER_MIGRATION_SOURCE: "endpoint",
        USER_MIGRATION_ENDPOINT_URL: "https://x.example",
        USER_MIGRATION_ENDPOINT_TIMEOUT_MS: "9000",
      },
      "USER_MIGRATION_ENDPOINT_TIMEOUT_MS",
    ],
    [
      {
        USER_MIGRATION_SOURCE: "dynamodb",
        USER_MIGRATION_TABLE_NAME: "t-1",
        USER_MIGRATION_ATTRIBUTE_MAP: "{",
      },
      "USER_MIGRATION_ATTRIBUTE_MAP",
    ],
    [
      {
        USER_MIGRATION_SOURCE: "dynamodb",
        USER_MIGRATION_TABLE_NAME: "t-1",
        USER_MIGRATION_ATTRIBUTE_MAP: '{"id":"sub"}',
      },
      "USER_MIGRATION_ATTRIBUTE_MAP",
    ],
    [
      {
        USER_MIGRATION_SOURCE: "dynamodb",
        USER_MIGRATION_TABLE_NAME: "t-1",
        USER_MIGRATION_DUMMY_HASH: "md5",
      },
      "USER_MIGRATION_DUMMY_HASH",
    ],
    [
      {
        USER_MIGRATION_SOURCE: "dynamodb",
        USER_MIGRATION_TABLE_NAME: "t-1",
        USER_MIGRATION_LOWERCASE_USERNAME: "maybe",
      },
      "USER_MIGRATION_LOWERCASE_USERNAME",
    ],
  ])("%j is refused naming %s", (env, variable) => {
    // Act
    let error: unknown;
    try {
      loadUserMigrationConfig(env as Record<string, string>);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
  });
});
