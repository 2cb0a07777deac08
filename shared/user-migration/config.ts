/**
 * The user migration trigger's settings, parsed once at cold start; a missing or malformed
 * value throws a ConfigError naming the variable. Every key: docs/user-migration.md.
 */
import { isWritableAttribute } from "../cognito-attributes";
import { type CommonConfig, loadCommonConfig } from "../config/common";
import {
  awsEndpoint,
  type Env,
  optionalString,
  readBoolean,
  readEnum,
  readInteger,
  readJson,
  requireString,
  requireTableName,
} from "../config/env";
import { entries, expected, fail, type JsonPath, string } from "../config/json";
import { ConfigError, quoteUntrusted } from "../errors";
import { type LockoutConfig, loadLockoutConfig } from "../lockout/config";
import { DEFAULT_DUMMY_HASH, type LegacyHash, parseLegacyHash } from "./hashes";
import { type AttributeMap, RESERVED_TARGETS } from "./mapping";

/** Where legacy users live. */
export const LEGACY_SOURCES = ["dynamodb", "endpoint"] as const;
/** `dynamodb`: a table of users with password hashes. `endpoint`: the old system's HTTPS API. */
export type LegacySource = (typeof LEGACY_SOURCES)[number];

/** The legacy DynamoDB table. */
export interface LegacyTableConfig {
  /** USER_MIGRATION_TABLE_NAME: the table of legacy users. */
  readonly tableName: string;
  /** USER_MIGRATION_TABLE_KEY: its string partition key, holding the user name (default `username`). */
  readonly keyAttribute: string;
  /** USER_MIGRATION_HASH_FIELD: the item attribute holding the password hash (default `passwordHash`). */
  readonly hashField: string;
  /** AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL): in local mode, the DynamoDB engine to use (dynalite). */
  readonly dynamoEndpoint: string | undefined;
  /** AWS_REGION: set by Lambda; a local engine gets `eu-west-1` when it is unset. */
  readonly awsRegion: string | undefined;
  /** USER_MIGRATION_LOCAL_USERS_FILE: in local mode without a DynamoDB endpoint, the JSON file of legacy users (default: the repository's sample). */
  readonly localUsersFile: string;
}

/** The old system's HTTPS endpoint. */
export interface LegacyEndpointConfig {
  /** USER_MIGRATION_ENDPOINT_URL: https URL (http only to a loopback host in local mode). */
  readonly url: URL;
  /** USER_MIGRATION_ENDPOINT_TOKEN: sent as `Authorization: Bearer <token>` (empty: no header). */
  readonly token: string | undefined;
  /** USER_MIGRATION_ENDPOINT_TIMEOUT_MS: one call's timeout (default 2000), also capped by the invocation deadline. */
  readonly timeoutMs: number;
}

/** Settings of the user migration trigger. */
export interface UserMigrationConfig {
  readonly common: CommonConfig;
  /** USER_MIGRATION_SOURCE: `dynamodb` or `endpoint` (required). */
  readonly source: LegacySource;
  readonly table: LegacyTableConfig | undefined;
  readonly endpoint: LegacyEndpointConfig | undefined;
  /** USER_MIGRATION_LOWERCASE_USERNAME: look legacy users up by the lower-cased, trimmed user name (default true). */
  readonly lowercaseUserName: boolean;
  /** USER_MIGRATION_ATTRIBUTE_MAP: JSON `{ "<legacy field>": "<Cognito attribute>" }` (default: email, names, phone, locale). */
  readonly attributeMap: AttributeMap;
  /** USER_MIGRATION_EMAIL_VERIFIED_FIELD: the legacy field saying the email was verified (default `emailVerified`). */
  readonly emailVerifiedField: string;
  /** USER_MIGRATION_DUMMY_HASH: the hash checked for unknown users; same scheme and cost as most legacy hashes (default bcrypt cost 10). */
  readonly dummyHash: LegacyHash;
  /** The custom-auth cross-sign-in lockout (CUSTOM_AUTH_ATTEMPTS_TABLE_NAME and friends); undefined when off. */
  readonly lockout: LockoutConfig | undefined;
}

/** Default of {@link UserMigrationConfig.attributeMap}. */
export const DEFAULT_ATTRIBUTE_MAP: AttributeMap = {
  email: "email",
  given_name: "given_name",
  family_name: "family_name",
  name: "name",
  phone_number: "phone_number",
  locale: "locale",
};

/** Default of {@link LegacyTableConfig.localUsersFile}: the sample events' legacy user. */
export const DEFAULT_LOCAL_USERS_FILE = "templates/user-migration/legacy-users.local.json";

/** Default of {@link LegacyEndpointConfig.timeoutMs}. */
export const DEFAULT_ENDPOINT_TIMEOUT_MS = 2000;

/** Check a `{ legacy field: Cognito attribute }` map. */
export function validateAttributeMap(
  value: unknown,
  path: JsonPath = "USER_MIGRATION_ATTRIBUTE_MAP",
): AttributeMap {
  const out: Record<string, string> = Object.create(null);
  const targets = new Set<string>();
  for (const [field, attribute] of entries(value, path, (v, where) => {
    const name = string(v, where, { what: "a Cognito attribute name" });
    if (RESERVED_TARGETS.has(name))
      fail(where, `${quoteUntrusted(name)} cannot be set by a migration`);
    if (!isWritableAttribute(name)) expected(where, "a standard attribute or custom:<name>", name);
    if (targets.has(name)) fail(where, `${quoteUntrusted(name)} is mapped twice`);
    targets.add(name);
    return name;
  })) {
    out[field] = attribute;
  }
  return out;
}

function readEndpointUrl(env: Env, localMode: boolean): URL {
  const name = "USER_MIGRATION_ENDPOINT_URL";
  let url: URL;
  try {
    url = new URL(requireString(env, name));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(name, "is not a URL");
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && localMode && loopback) return url;
  throw new ConfigError(name, "must be an https URL (http only to a loopback host in local mode)");
}

/** Parse the user migration settings. */
export function loadUserMigrationConfig(env: Env = process.env): UserMigrationConfig {
  const common = loadCommonConfig(env);
  const source = readEnum<LegacySource>(env, "USER_MIGRATION_SOURCE", LEGACY_SOURCES, "dynamodb");
  if (optionalString(env, "USER_MIGRATION_SOURCE") === undefined) {
    throw new ConfigError("USER_MIGRATION_SOURCE", `is required (${LEGACY_SOURCES.join(" or ")})`);
  }
  const dummyText = optionalString(env, "USER_MIGRATION_DUMMY_HASH", DEFAULT_DUMMY_HASH);
  const dummyHash = parseLegacyHash(dummyText);
  if (dummyHash === undefined) {
    throw new ConfigError(
      "USER_MIGRATION_DUMMY_HASH",
      "is not a supported hash within the cost bounds",
    );
  }
  return {
    common,
    source,
    table:
      source === "dynamodb"
        ? {
            tableName: requireTableName(env, "USER_MIGRATION_TABLE_NAME"),
            keyAttribute: optionalString(env, "USER_MIGRATION_TABLE_KEY", "username"),
            hashField: optionalString(env, "USER_MIGRATION_HASH_FIELD", "passwordHash"),
            dynamoEndpoint: awsEndpoint(env, "DYNAMODB"),
            awsRegion: optionalString(env, "AWS_REGION"),
            localUsersFile: optionalString(
              env,
              "USER_MIGRATION_LOCAL_USERS_FILE",
              DEFAULT_LOCAL_USERS_FILE,
            ),
          }
        : undefined,
    endpoint:
      source === "endpoint"
        ? {
            url: readEndpointUrl(env, common.localMode),
            token: optionalString(env, "USER_MIGRATION_ENDPOINT_TOKEN"),
            timeoutMs: readInteger(
              env,
              "USER_MIGRATION_ENDPOINT_TIMEOUT_MS",
              DEFAULT_ENDPOINT_TIMEOUT_MS,
              { min: 100, max: 4500 },
            ),
          }
        : undefined,
    lowercaseUserName: readBoolean(env, "USER_MIGRATION_LOWERCASE_USERNAME", true),
    attributeMap: readJson(
      env,
      "USER_MIGRATION_ATTRIBUTE_MAP",
      DEFAULT_ATTRIBUTE_MAP,
      validateAttributeMap,
    ),
    emailVerifiedField: optionalString(env, "USER_MIGRATION_EMAIL_VERIFIED_FIELD", "emailVerified"),
    dummyHash,
    lockout: loadLockoutConfig(env),
  };
}
