/**
 * Helpers that read one environment variable each, strictly, and throw a
 * {@link ConfigError} naming the variable when it is missing or malformed.
 *
 * They are used once per container, at cold start (see each function's
 * `load*Config`), never per request.
 */
import { ConfigError } from "../errors";
import { JsonConfigError, type JsonReader } from "./json";

/** The environment the helpers read: `process.env` in Lambda, a plain object in tests. */
export type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** A required, non-empty string. */
export function requireString(env: Env, name: string): string {
  const value = raw(env, name);
  if (value === undefined) throw new ConfigError(name, "is required but is not set");
  return value;
}

/** An optional string; empty counts as unset. */
export function optionalString(env: Env, name: string): string | undefined;
export function optionalString(env: Env, name: string, fallback: string): string;
export function optionalString(env: Env, name: string, fallback?: string): string | undefined {
  return raw(env, name) ?? fallback;
}

/** The AWS services whose endpoint a function may be pointed at (local engines, VPC endpoints). */
export type EndpointService = "DYNAMODB" | "COGNITO_IDENTITY_PROVIDER" | "SESV2" | "KMS";

/**
 * The endpoint for `service` as the AWS SDKs read it: `AWS_ENDPOINT_URL_<SERVICE>`, else the
 * global `AWS_ENDPOINT_URL`, else unset (the SDK's own endpoint for the Region).
 */
export function awsEndpoint(env: Env, service: EndpointService): string | undefined {
  return raw(env, `AWS_ENDPOINT_URL_${service}`) ?? raw(env, "AWS_ENDPOINT_URL");
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

// DynamoDB table names: 3-255 of letters, digits, `_`, `-` and `.`.
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** An optional DynamoDB table name (3-255 of letters, digits, `_`, `-`, `.`); empty counts as unset. */
export function optionalTableName(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value !== undefined && !TABLE_NAME.test(value)) {
    throw new ConfigError(name, `"${value}" is not a DynamoDB table name`);
  }
  return value;
}

/** A required DynamoDB table name (see {@link optionalTableName}). */
export function requireTableName(env: Env, name: string): string {
  const value = optionalTableName(env, name);
  if (value === undefined) throw new ConfigError(name, "is required but is not set");
  return value;
}

/** A strict boolean: true/false/1/0/yes/no/on/off (any case); anything else is an error. */
export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

/** An integer within [min, max]. */
export function readInteger(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be an integer, got "${value}"`);
  const parsed = Number(value);
  if (parsed < bounds.min || parsed > bounds.max) {
    throw new ConfigError(name, `must be between ${bounds.min} and ${bounds.max}, got ${parsed}`);
  }
  return parsed;
}

/** A comma-separated list; items trimmed, empty items dropped. Unset gives `[]`. */
export function readList(env: Env, name: string): string[] {
  const value = raw(env, name);
  if (value === undefined) return [];
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** One of a fixed set of values (case-sensitive). */
export function readEnum<T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(", ")}, got "${value}"`);
  }
  return value as T;
}

/**
 * A JSON value, parsed and then checked by `validate` (built with the kit in ./json), which
 * gets the variable's name as the document's root path and returns the typed value or throws
 * a {@link JsonConfigError} (rethrown as a ConfigError naming the variable and the path).
 */
export function readJson<T>(env: Env, name: string, fallback: T, validate: JsonReader<T>): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(name, "is not valid JSON");
  }
  try {
    return validate(parsed, name);
  } catch (error) {
    if (error instanceof JsonConfigError) throw new ConfigError(name, error.problem, error.path);
    if (error instanceof ConfigError) throw error;
    const problem = error instanceof Error ? error.message : String(error);
    throw new ConfigError(name, `is invalid: ${problem}`);
  }
}
