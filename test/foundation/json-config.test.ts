/**
 * The JSON configuration kit (shared/config/json.ts) and every JSON variable read through it:
 * a bad value fails at cold start naming the variable and the path inside the document, with
 * the value quoted and cut (or named by its type), never printed whole.
 */
import { loadAuthorizerConfig } from "../../shared/authorizer/config";
import { readJson } from "../../shared/config/env";
import {
  array,
  at,
  boolean,
  expected,
  JsonConfigError,
  object,
  oneOf,
  optional,
  string,
} from "../../shared/config/json";
import { ConfigError } from "../../shared/errors";
import { loadInboundFederationConfig } from "../../shared/inbound-federation/config";
import { loadPreSignUpConfig } from "../../shared/pre-signup/config";
import { loadPreTokenConfig } from "../../shared/pre-token-generation/config";
import { loadProvisioningConfig } from "../../shared/provisioning/config";
import { loadUserMigrationConfig } from "../../shared/user-migration/config";

function problemOf(act: () => unknown): JsonConfigError {
  try {
    act();
  } catch (error) {
    if (error instanceof JsonConfigError) return error;
    throw error;
  }
  throw new Error("expected a JsonConfigError");
}

describe("the kit's readers", () => {
  it("builds paths: names with a dot, indexes and other keys in brackets", () => {
    // Act
    const path = at(at(at(at("X", "routes"), 2), "custom:plan"), "a b");
    // Assess
    expect(path).toBe('X.routes[2]["custom:plan"]["a b"]');
  });

  it("names the path, what was expected and the value, quoted and cut at 64 characters", () => {
    // Act
    const long = problemOf(() => string("x".repeat(100), "X.name", { pattern: /^y$/ }));
    const typed = problemOf(() => string({ secret: "s3cr3t" }, "X.name"));
    // Assess
    expect(long.message).toBe(
      `X.name: expected a non-empty string, got "${"x".repeat(64)}"... (100 characters)`,
    );
    expect(typed.message).toBe("X.name: expected a non-empty string, got (an object)");
    expect(typed.message).not.toContain("s3cr3t");
  });

  it("refuses unknown keys at their own path, naming the allowed ones", () => {
    // Act
    const error = problemOf(() => object({ a: 1, typo: 2 }, "X", ["a"]));
    // Assess
    expect(error.path).toBe("X.typo");
    expect(error.message).toBe("X.typo: unknown key (allowed: a)");
  });

  it("reads arrays item by item, with a minimum and optional de-duplication", () => {
    // Act
    const items = array(["a", "b", "a"], "X", (v, p) => string(v, p), { unique: true });
    const empty = problemOf(() => array([], "X", (v) => v, { min: 1 }));
    const bad = problemOf(() => array(["a", 7], "X", (v, p) => string(v, p)));
    // Assess
    expect(items).toEqual(["a", "b"]);
    expect(empty.message).toBe("X: expected a non-empty array, got (an array)");
    expect(bad.path).toBe("X[1]");
  });

  it("takes the fallback only for an absent value, not for null", () => {
    // Act
    const absent = optional(undefined, "X.flag", boolean, true);
    const isNull = problemOf(() => optional(null, "X.flag", boolean, true));
    // Assess
    expect(absent).toBe(true);
    expect(isNull.message).toBe("X.flag: expected true or false, got null");
  });

  it("lists the choices of oneOf", () => {
    expect(problemOf(() => oneOf("c", "X.mode", ["a", "b"])).message).toBe(
      'X.mode: expected one of "a", "b", got "c"',
    );
  });

  it("readJson starts the path at the variable and keeps the variable on the ConfigError", () => {
    // Prepare
    const reader = (value: unknown, path: string) =>
      array(object(value, path, ["items"]).items, at(path, "items"), (v, p) =>
        v === 1 ? v : expected(p, "1", v),
      );
    // Act
    let error: unknown;
    try {
      readJson({ MY_CONFIG: '{"items":[1,2]}' }, "MY_CONFIG", [], reader);
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe("MY_CONFIG");
    expect((error as ConfigError).message).toBe(
      "Invalid configuration: MY_CONFIG.items[1]: expected 1, got (a number)",
    );
  });
});

describe("every JSON variable names itself and the path", () => {
  const POLICY = { routes: [{ route: "GET /hello" }] };
  it.each([
    [
      "AUTHORIZER_CONFIG",
      () =>
        loadAuthorizerConfig({
          AUTHORIZER_CONFIG: JSON.stringify({
            ...POLICY,
            userPools: [
              { userPoolId: "eu-west-1_A", clientIds: ["a"] },
              { userPoolId: "eu-west-1_B", clientIds: "b" },
            ],
          }),
        }),
      'AUTHORIZER_CONFIG.userPools[1].clientIds: expected an array, got "b"',
    ],
    [
      "AUTHORIZER_JWKS",
      () =>
        loadAuthorizerConfig({
          AUTHORIZER_CONFIG: JSON.stringify(POLICY),
          AUTHORIZER_USER_POOL_ID: "eu-west-1_A",
          AUTHORIZER_CLIENT_IDS: "a",
          AUTHORIZER_JWKS: JSON.stringify({ "eu-west-1_A": { keys: [1] } }),
        }),
      'AUTHORIZER_JWKS["eu-west-1_A"].keys[0]: expected a JWK object, got (a number)',
    ],
    [
      "AUTHORIZER_CLIENT_IDS",
      () =>
        loadAuthorizerConfig({
          AUTHORIZER_CONFIG: JSON.stringify(POLICY),
          AUTHORIZER_USER_POOL_ID: "eu-west-1_A",
          AUTHORIZER_CLIENT_IDS: "a,b c",
        }),
      'AUTHORIZER_CLIENT_IDS[1]: expected an app client id, got "b c"',
    ],
    [
      "PRE_TOKEN_CONFIG",
      () =>
        loadPreTokenConfig({
          PRE_TOKEN_CONFIG: JSON.stringify({
            claims: [{ claim: "tenant", attribute: "custom:tenant", tokens: ["id", "refresh"] }],
          }),
        }),
      'PRE_TOKEN_CONFIG.claims[0].tokens[1]: expected one of "id", "access", got "refresh"',
    ],
    [
      "INBOUND_FEDERATION_MAPPINGS",
      () =>
        loadInboundFederationConfig({
          INBOUND_FEDERATION_MAPPINGS: JSON.stringify({
            Okta: { attributes: { email: ["mail"] }, emailVerified: "yes" },
          }),
        }),
      'INBOUND_FEDERATION_MAPPINGS.Okta.emailVerified: expected one of "claim", "always", "never", got "yes"',
    ],
    [
      "USER_MIGRATION_ATTRIBUTE_MAP",
      () =>
        loadUserMigrationConfig({
          USER_MIGRATION_SOURCE: "dynamodb",
          USER_MIGRATION_TABLE_NAME: "legacy-users",
          USER_MIGRATION_ATTRIBUTE_MAP: JSON.stringify({ mail: "email", id: "sub" }),
        }),
      'USER_MIGRATION_ATTRIBUTE_MAP.id: "sub" cannot be set by a migration',
    ],
    [
      "GROUP_BY_EMAIL_DOMAIN",
      () =>
        loadProvisioningConfig({
          PROFILE_TABLE_NAME: "profiles",
          GROUP_BY_EMAIL_DOMAIN: JSON.stringify({ "example.com": 42 }),
        }),
      'GROUP_BY_EMAIL_DOMAIN["example.com"]: expected a Cognito group name, got (a number)',
    ],
    [
      "PRE_SIGNUP_ATTRIBUTE_PATTERNS",
      () => loadPreSignUpConfig({ PRE_SIGNUP_ATTRIBUTE_PATTERNS: '{"custom:id":"("}' }),
      'PRE_SIGNUP_ATTRIBUTE_PATTERNS["custom:id"]: expected a valid regular expression, got "("',
    ],
  ])("%s", (variable, act, message) => {
    // Act
    let error: unknown;
    try {
      act();
    } catch (caught) {
      error = caught;
    }
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toBe(`Invalid configuration: ${message}`);
  });
});
