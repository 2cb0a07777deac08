/**
 * Configuration of the post-confirmation trigger, parsed once at cold start.
 * Every problem throws a ConfigError naming the variable.
 */
import { type CommonConfig, loadCommonConfig } from "../config/common";
import { awsEndpoint, type Env, optionalString, readJson, requireTableName } from "../config/env";
import { at, entries, fail, type JsonPath, string } from "../config/json";
import { ConfigError, quoteUntrusted } from "../errors";

/** Settings of the post-confirmation trigger. */
export interface ProvisioningConfig extends CommonConfig {
  /** PROFILE_TABLE_NAME: the DynamoDB table (partition key `sub`, string) that holds one profile per user. Required. */
  readonly profileTableName: string;
  /** DEFAULT_GROUP: the group every confirmed user joins; unset means no default group. */
  readonly defaultGroup: string | undefined;
  /** GROUP_BY_EMAIL_DOMAIN: JSON object mapping a verified email's domain (exact, lower-case) to one extra group, e.g. `{"example.com":"staff"}`; unset means none. */
  readonly groupByEmailDomain: Readonly<Record<string, string>>;
  /** AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL): a DynamoDB endpoint to use instead of AWS (dynalite in the local stack). */
  readonly dynamoEndpoint: string | undefined;
  /** AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER (or AWS_ENDPOINT_URL): a Cognito endpoint to use instead of AWS (cognito-local). */
  readonly cognitoEndpoint: string | undefined;
  /** AWS_REGION: set by Lambda; local engines get `eu-west-1` when it is unset. */
  readonly awsRegion: string | undefined;
  /** LOCAL_PROFILE_FILE: local mode without a DynamoDB endpoint appends profiles to this JSON-lines file. */
  readonly localProfileFile: string;
}

/** Where local mode writes profiles when no DynamoDB endpoint is set. */
export const DEFAULT_LOCAL_PROFILE_FILE = ".local/post-confirmation/profiles.jsonl";

// Cognito group names: 1-128 characters, no whitespace (Cognito's pattern is letters,
// marks, symbols, numbers and punctuation only).
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
// A domain name: labels of letters, digits and hyphens separated by dots.
const DOMAIN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Validate the GROUP_BY_EMAIL_DOMAIN map: domain keys (lower-cased) to group names. */
export function parseGroupByEmailDomain(
  value: unknown,
  path: JsonPath = "GROUP_BY_EMAIL_DOMAIN",
): Record<string, string> {
  // No prototype: a domain called "constructor" must not find Object.prototype.constructor.
  const out: Record<string, string> = Object.create(null);
  for (const [rawDomain, group] of entries(value, path, (v, where) =>
    string(v, where, { what: "a Cognito group name", pattern: GROUP_NAME }),
  )) {
    const where = at(path, rawDomain);
    const domain = rawDomain.trim().toLowerCase();
    if (!DOMAIN.test(domain)) fail(where, `${quoteUntrusted(rawDomain)} is not a domain name`);
    if (domain in out) fail(where, `${quoteUntrusted(rawDomain)} appears twice`);
    out[domain] = group;
  }
  return out;
}

/** Parse the trigger's settings from `env`. */
export function loadProvisioningConfig(env: Env = process.env): ProvisioningConfig {
  const defaultGroup = optionalString(env, "DEFAULT_GROUP");
  if (defaultGroup !== undefined && !GROUP_NAME.test(defaultGroup)) {
    throw new ConfigError("DEFAULT_GROUP", `"${defaultGroup}" is not a valid Cognito group name`);
  }
  const profileTableName = requireTableName(env, "PROFILE_TABLE_NAME");
  return {
    ...loadCommonConfig(env),
    profileTableName,
    defaultGroup,
    groupByEmailDomain: readJson(env, "GROUP_BY_EMAIL_DOMAIN", {}, parseGroupByEmailDomain),
    dynamoEndpoint: awsEndpoint(env, "DYNAMODB"),
    cognitoEndpoint: awsEndpoint(env, "COGNITO_IDENTITY_PROVIDER"),
    awsRegion: optionalString(env, "AWS_REGION"),
    localProfileFile: optionalString(env, "LOCAL_PROFILE_FILE", DEFAULT_LOCAL_PROFILE_FILE),
  };
}
