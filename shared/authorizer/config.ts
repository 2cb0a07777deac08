/**
 * The authorizer's configuration, parsed and validated once at cold start.
 *
 * One JSON document (`AUTHORIZER_CONFIG`) holds what decides who may call what:
 * user pools and their app clients, accepted token use, route rules and the
 * claims copied into the context. The JWKS and fetch settings are separate
 * variables because they are operational, not policy.
 */
import { readFileSync } from "node:fs";
import { loadCommonConfig } from "../config/common";
import {
  type Env,
  optionalString,
  optionalTableName,
  readEnum,
  readInteger,
  readJson,
  readList,
} from "../config/env";
import { ConfigError } from "../errors";
import { isRecord } from "../guards";
import { type CompiledRoute, compileRoute } from "./routes";

/** A Cognito user pool whose tokens are accepted, and the app clients they must come from. */
export interface UserPoolConfig {
  /** The pool id, `<region>_<id>`. */
  readonly userPoolId: string;
  /** App client ids: `client_id` (access tokens) or `aud` (ID tokens) must be one of them. */
  readonly clientIds: readonly string[];
  /**
   * `replicated: true` in AUTHORIZER_CONFIG: a multi-Region (replicated) pool, whose tokens may
   * also carry the global issuer `https://issuer-cognito-idp.<region>.amazonaws.com/<poolId>`
   * (verified with that issuer's own JWKS). Otherwise that issuer is refused and its JWKS never
   * downloaded.
   */
  readonly replicated: boolean;
}

/** A claim copied from the verified token into the authorizer context. */
export interface ContextClaim {
  /** The claim name in the token, e.g. `tenant_id` or `custom:tenant_id`. */
  readonly claim: string;
  /** The context key it is written under (defaults to the claim name). */
  readonly as: string;
}

/** Which token types are accepted: `access` (default), `id`, or `any` of the two. */
export type TokenUse = "access" | "id" | "any";

/** The validated content of `AUTHORIZER_CONFIG`. */
export interface AuthorizerPolicyConfig {
  /** Cognito user pools and their app clients (AUTHORIZER_CONFIG's plus AUTHORIZER_USER_POOL_ID's), one entry per pool id. */
  readonly userPools: readonly UserPoolConfig[];
  /** Accepted `token_use`; access tokens only unless configured. */
  readonly tokenUse: TokenUse;
  /** Claims copied into the context besides sub, username, clientId, scopes, groups. */
  readonly contextClaims: readonly ContextClaim[];
  /** Route rules, in the order given. A route with no rule is denied. */
  readonly routes: readonly CompiledRoute[];
}

/** The local issuer (cognito-local), honoured only in local mode. */
export interface LocalIssuerConfig {
  /** JWT_LOCAL_ISSUER_URL: the exact `iss` of local tokens, e.g. `http://localhost:9229/local_1Q5EIHIH`. */
  readonly issuer: string;
  /** JWT_LOCAL_CLIENT_IDS: app client ids local tokens must carry. */
  readonly clientIds: readonly string[];
}

/** A JWKS as published at `.well-known/jwks.json`. */
export interface JwksDocument {
  readonly keys: readonly Record<string, unknown>[];
}

/** Everything the authorizer reads from the environment. */
export interface AuthorizerConfig extends AuthorizerPolicyConfig {
  /** LOCAL_MODE (see common config): enables the local issuer. */
  readonly localMode: boolean;
  /** The local issuer, set only when local mode is on and JWT_LOCAL_ISSUER_URL is set. */
  readonly localIssuer: LocalIssuerConfig | undefined;
  /** AUTHORIZER_JWKS / AUTHORIZER_JWKS_FILE: bundled JWKS by user pool id or local issuer URL (no fetch needed for them). */
  readonly bundledJwks: Readonly<Record<string, JwksDocument>>;
  /** JWKS_FETCH_TIMEOUT_MS: upper bound of one JWKS download, in ms. */
  readonly jwksFetchTimeoutMs: number;
  /** JWKS_PENALTY_SECONDS: after an unknown kid or a failed download, no new download for this long. */
  readonly jwksPenaltySeconds: number;
  /** AUTHORIZER_MAX_TOKEN_LENGTH: longer tokens are refused before any parsing. */
  readonly maxTokenLength: number;
  /** AUTHORIZER_CLOCK_SKEW_SECONDS: how far in the future a token's `iat` may be (clock skew). */
  readonly clockSkewSeconds: number;
  /** AUTHORIZER_TOKEN_CACHE_SIZE: verified tokens kept per container (0 turns the cache off). */
  readonly tokenCacheSize: number;
  /** Revocation, on when AUTHORIZER_REVOCATION_TABLE_NAME is set; undefined when off. */
  readonly revocation: RevocationConfig | undefined;
  /** AWS_CALL_TIMEOUT_MS / AWS_MAX_ATTEMPTS (common config): bounds of the revocation read. */
  readonly awsCallTimeoutMs: number;
  readonly awsMaxAttempts: number;
}

/** Opt-in revocation (docs/authorizer.md#revocation). */
export interface RevocationConfig {
  /** AUTHORIZER_REVOCATION_TABLE_NAME: the DynamoDB table of `sub -> revokedAt`. */
  readonly tableName: string;
  /** AUTHORIZER_REVOCATION_FAILURE_MODE: `closed` (default) refuses when the table cannot be read, `open` allows. */
  readonly failureMode: "closed" | "open";
  /** AUTHORIZER_REVOCATION_CACHE_SECONDS: how long a read is reused, 0-30 (default 10). */
  readonly cacheSeconds: number;
}

/** The longest lifetime (`exp - iat`) Cognito gives an ID or access token: one day. */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

const USER_POOL_ID = /^[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+$/;
const CLIENT_ID = /^[\w+]+$/;
const CLAIM_NAME = /^[A-Za-z0-9_:.-]{1,128}$/;
/** Context keys the authorizer always sets; configured claims may not overwrite them. */
export const RESERVED_CONTEXT_KEYS = [
  "sub",
  "username",
  "clientId",
  "scopes",
  "groups",
  "tokenUse",
];

function stringArray(value: unknown, where: string, pattern?: RegExp): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || v.trim() === "")) {
    throw new Error(`${where} must be an array of non-empty strings`);
  }
  const items = value.map((v: string) => v.trim());
  const bad = pattern ? items.find((v) => !pattern.test(v)) : undefined;
  if (bad !== undefined) throw new Error(`${where} has an invalid entry "${bad}"`);
  return items;
}

function onlyKeys(value: Record<string, unknown>, allowed: string[], where: string): void {
  const extra = Object.keys(value).filter((k) => !allowed.includes(k));
  if (extra.length > 0) throw new Error(`${where} has unknown key(s) ${extra.join(", ")}`);
}

function checkPool(
  userPoolId: unknown,
  clientIdList: unknown,
  where: string,
  replicated: unknown = false,
): UserPoolConfig {
  if (typeof userPoolId !== "string" || !USER_POOL_ID.test(userPoolId)) {
    throw new Error(`${where}.userPoolId must look like "eu-west-1_AbCdEf123"`);
  }
  const clientIds = stringArray(clientIdList, `${where}.clientIds`, CLIENT_ID);
  if (clientIds.length === 0) throw new Error(`${where}.clientIds must not be empty`);
  if (typeof replicated !== "boolean") throw new Error(`${where}.replicated must be true or false`);
  return { userPoolId, clientIds, replicated };
}

/**
 * One entry per pool id, client ids merged in order (the verifier refuses an issuer given
 * twice, and the token use is global, so merging loses nothing). A pool is replicated when
 * any of its entries says so (the stack's own pool entry cannot say it).
 */
export function mergeUserPools(pools: readonly UserPoolConfig[]): UserPoolConfig[] {
  const byId = new Map<string, { clientIds: string[]; replicated: boolean }>();
  for (const { userPoolId, clientIds, replicated } of pools) {
    const merged = byId.get(userPoolId) ?? { clientIds: [], replicated: false };
    for (const id of clientIds) if (!merged.clientIds.includes(id)) merged.clientIds.push(id);
    merged.replicated ||= replicated;
    byId.set(userPoolId, merged);
  }
  return [...byId].map(([userPoolId, { clientIds, replicated }]) => ({
    userPoolId,
    clientIds,
    replicated,
  }));
}

/** Validate the parsed `AUTHORIZER_CONFIG` JSON; throws an Error describing the first problem. */
export function parsePolicyConfig(value: unknown): AuthorizerPolicyConfig {
  if (!isRecord(value)) throw new Error("must be a JSON object");
  onlyKeys(value, ["userPools", "tokenUse", "contextClaims", "routes"], "the object");

  const pools = value.userPools ?? [];
  if (!Array.isArray(pools)) throw new Error("userPools must be an array");
  const userPools = pools.map((pool: unknown, i): UserPoolConfig => {
    const where = `userPools[${i}]`;
    if (!isRecord(pool)) throw new Error(`${where} must be an object`);
    onlyKeys(pool, ["userPoolId", "clientIds", "replicated"], where);
    return checkPool(pool.userPoolId, pool.clientIds, where, pool.replicated ?? false);
  });

  const tokenUse = value.tokenUse ?? "access";
  if (tokenUse !== "access" && tokenUse !== "id" && tokenUse !== "any") {
    throw new Error('tokenUse must be "access", "id" or "any"');
  }

  const contextClaims = (
    value.contextClaims === undefined ? [] : (value.contextClaims as unknown)
  ) as unknown;
  if (!Array.isArray(contextClaims)) throw new Error("contextClaims must be an array");
  const claims = contextClaims.map((entry: unknown, i): ContextClaim => {
    const where = `contextClaims[${i}]`;
    const parsed =
      typeof entry === "string"
        ? { claim: entry, as: entry }
        : isRecord(entry)
          ? { claim: entry.claim, as: entry.as ?? entry.claim }
          : undefined;
    if (
      parsed === undefined ||
      typeof parsed.claim !== "string" ||
      typeof parsed.as !== "string" ||
      !CLAIM_NAME.test(parsed.claim) ||
      !CLAIM_NAME.test(parsed.as)
    ) {
      throw new Error(`${where} must be a claim name or { "claim": "...", "as": "..." }`);
    }
    if (RESERVED_CONTEXT_KEYS.includes(parsed.as)) {
      throw new Error(`${where} would overwrite the context key "${parsed.as}"`);
    }
    return { claim: parsed.claim, as: parsed.as };
  });

  if (!Array.isArray(value.routes) || value.routes.length === 0) {
    throw new Error("routes must be a non-empty array");
  }
  const routes = value.routes.map((rule: unknown, i) => {
    const where = `routes[${i}]`;
    if (!isRecord(rule)) throw new Error(`${where} must be an object`);
    onlyKeys(rule, ["route", "scopes", "groups"], where);
    if (typeof rule.route !== "string") throw new Error(`${where}.route must be a string`);
    const scopes = rule.scopes === undefined ? [] : stringArray(rule.scopes, `${where}.scopes`);
    const groups = rule.groups === undefined ? [] : stringArray(rule.groups, `${where}.groups`);
    try {
      return compileRoute(rule.route, { scopes, groups });
    } catch (error) {
      throw new Error(`${where}.route ${(error as Error).message}`);
    }
  });

  return { userPools: mergeUserPools(userPools), tokenUse, contextClaims: claims, routes };
}

function parseJwksMap(value: unknown): Record<string, JwksDocument> {
  if (!isRecord(value)) throw new Error("must map a user pool id or issuer URL to a JWKS");
  for (const [key, jwks] of Object.entries(value)) {
    if (!isRecord(jwks) || !Array.isArray(jwks.keys) || !jwks.keys.every(isRecord)) {
      throw new Error(`entry "${key}" must be a JWKS: { "keys": [ ... ] }`);
    }
  }
  return value as Record<string, JwksDocument>;
}

function readBundledJwks(env: Env): Record<string, JwksDocument> {
  const inline = readJson(env, "AUTHORIZER_JWKS", {}, parseJwksMap);
  const file = optionalString(env, "AUTHORIZER_JWKS_FILE");
  if (file === undefined) return inline;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError("AUTHORIZER_JWKS_FILE", `cannot be read: ${file}`);
  }
  const fromFile = readJson(
    { AUTHORIZER_JWKS_FILE: text },
    "AUTHORIZER_JWKS_FILE",
    {},
    parseJwksMap,
  );
  return { ...fromFile, ...inline };
}

const UNRESOLVED_CFN = "[object Object]";

/** The stack's own pool (AUTHORIZER_USER_POOL_ID + AUTHORIZER_CLIENT_IDS, from `!Ref` in serverless.yml). */
function readStackPool(env: Env, localMode: boolean): UserPoolConfig[] {
  // serverless-offline cannot resolve CloudFormation references (`!If`, `!Ref`) and passes
  // them as "[object Object]": in local mode that means "no stack pool" (AWS always resolves).
  const resolved = (name: string): Env =>
    localMode && env[name] === UNRESOLVED_CFN ? { [name]: undefined } : { [name]: env[name] };
  const userPoolId = optionalString(resolved("AUTHORIZER_USER_POOL_ID"), "AUTHORIZER_USER_POOL_ID");
  const clientIds = readList(resolved("AUTHORIZER_CLIENT_IDS"), "AUTHORIZER_CLIENT_IDS");
  if (userPoolId === undefined) {
    if (clientIds.length > 0) {
      throw new ConfigError(
        "AUTHORIZER_USER_POOL_ID",
        "is required when AUTHORIZER_CLIENT_IDS is set",
      );
    }
    return [];
  }
  try {
    return [checkPool(userPoolId, clientIds, "pool")];
  } catch (error) {
    const variable = clientIds.length === 0 ? "AUTHORIZER_CLIENT_IDS" : "AUTHORIZER_USER_POOL_ID";
    throw new ConfigError(variable, `is invalid: ${(error as Error).message}`);
  }
}

function readLocalIssuer(env: Env, localMode: boolean): LocalIssuerConfig | undefined {
  const issuer = optionalString(env, "JWT_LOCAL_ISSUER_URL");
  // Never a default, and never outside local mode: in AWS the variable is ignored.
  if (!localMode || issuer === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError("JWT_LOCAL_ISSUER_URL", `must be a URL, got "${issuer}"`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || issuer.endsWith("/")) {
    throw new ConfigError("JWT_LOCAL_ISSUER_URL", "must be an http(s) URL without a trailing /");
  }
  const clientIds = readList(env, "JWT_LOCAL_CLIENT_IDS");
  if (clientIds.length === 0) {
    throw new ConfigError("JWT_LOCAL_CLIENT_IDS", "is required when JWT_LOCAL_ISSUER_URL is set");
  }
  return { issuer, clientIds };
}

function readRevocation(env: Env): RevocationConfig | undefined {
  const tableName = optionalTableName(env, "AUTHORIZER_REVOCATION_TABLE_NAME");
  const failureMode = readEnum(
    env,
    "AUTHORIZER_REVOCATION_FAILURE_MODE",
    ["closed", "open"],
    "closed",
  );
  const cacheSeconds = readInteger(env, "AUTHORIZER_REVOCATION_CACHE_SECONDS", 10, {
    min: 0,
    max: 30,
  });
  return tableName === undefined ? undefined : { tableName, failureMode, cacheSeconds };
}

/** Parse and validate the authorizer's environment. Throws a ConfigError naming the variable. */
export function loadAuthorizerConfig(env: Env = process.env): AuthorizerConfig {
  const common = loadCommonConfig(env);
  const policy = readJson<AuthorizerPolicyConfig | undefined>(
    env,
    "AUTHORIZER_CONFIG",
    undefined,
    parsePolicyConfig,
  );
  if (policy === undefined) {
    throw new ConfigError("AUTHORIZER_CONFIG", "is required but is not set");
  }
  const localIssuer = readLocalIssuer(env, common.localMode);
  // The stack's pool may also be listed in AUTHORIZER_CONFIG: one pool, both lists of clients.
  const userPools = mergeUserPools([...policy.userPools, ...readStackPool(env, common.localMode)]);
  if (userPools.length === 0 && localIssuer === undefined) {
    throw new ConfigError(
      "AUTHORIZER_USER_POOL_ID",
      "is required (or userPools in AUTHORIZER_CONFIG, or a local issuer in local mode)",
    );
  }
  return {
    ...policy,
    userPools,
    localMode: common.localMode,
    localIssuer,
    bundledJwks: readBundledJwks(env),
    jwksFetchTimeoutMs: readInteger(env, "JWKS_FETCH_TIMEOUT_MS", 1500, { min: 100, max: 10000 }),
    jwksPenaltySeconds: readInteger(env, "JWKS_PENALTY_SECONDS", 10, { min: 1, max: 3600 }),
    maxTokenLength: readInteger(env, "AUTHORIZER_MAX_TOKEN_LENGTH", 8192, {
      min: 512,
      max: 65536,
    }),
    clockSkewSeconds: readInteger(env, "AUTHORIZER_CLOCK_SKEW_SECONDS", 60, { min: 0, max: 300 }),
    tokenCacheSize: readInteger(env, "AUTHORIZER_TOKEN_CACHE_SIZE", 1000, { min: 0, max: 100_000 }),
    revocation: readRevocation(env),
    awsCallTimeoutMs: common.awsCallTimeoutMs,
    awsMaxAttempts: common.awsMaxAttempts,
  };
}
