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
import {
  array,
  at,
  boolean,
  entries,
  expected,
  fail,
  JsonConfigError,
  type JsonPath,
  type JsonReader,
  object,
  oneOf,
  optional,
  string,
} from "../config/json";
import { ConfigError, quoteUntrusted } from "../errors";
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

/** The accepted token types: `access` (default), `id`, or `any` of the two. */
export const TOKEN_USES = ["access", "id", "any"] as const;
/** Which token types are accepted: `access` (default), `id`, or `any` of the two. */
export type TokenUse = (typeof TOKEN_USES)[number];

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

/** A pool id, `<region>_<id>`. */
const userPoolId: JsonReader<string> = (value, path) =>
  string(value, path, { what: 'a user pool id like "eu-west-1_AbCdEf123"', pattern: USER_POOL_ID });

/** An app client id. */
const clientId: JsonReader<string> = (value, path) =>
  string(value, path, { what: "an app client id", pattern: CLIENT_ID, trim: true });

/** A list of non-empty strings, trimmed (scopes, groups). */
const names: JsonReader<string[]> = (value, path) =>
  array(value, path, (item, p) => string(item, p, { trim: true }));

/** One entry of `userPools`. */
const userPool: JsonReader<UserPoolConfig> = (value, path) => {
  const pool = object(value, path, ["userPoolId", "clientIds", "replicated"]);
  return {
    userPoolId: userPoolId(pool.userPoolId, at(path, "userPoolId")),
    clientIds: array(pool.clientIds, at(path, "clientIds"), clientId, { min: 1 }),
    replicated: optional(pool.replicated, at(path, "replicated"), boolean, false),
  };
};

/** One entry of `contextClaims`: a claim name, or `{ "claim": "...", "as": "..." }`. */
const contextClaim: JsonReader<ContextClaim> = (value, path) => {
  const what = 'a claim name or { "claim": "...", "as": "..." }';
  const claimName = (v: unknown, p: string) => string(v, p, { what, pattern: CLAIM_NAME });
  if (typeof value === "string") {
    const claim = claimName(value, path);
    return checkContextKey({ claim, as: claim }, path);
  }
  if (!isRecord(value)) expected(path, what, value);
  const claim = claimName(value.claim, at(path, "claim"));
  return checkContextKey({ claim, as: optional(value.as, at(path, "as"), claimName, claim) }, path);
};

function checkContextKey(entry: ContextClaim, path: string): ContextClaim {
  if (RESERVED_CONTEXT_KEYS.includes(entry.as)) {
    fail(path, `would overwrite the context key ${quoteUntrusted(entry.as)}`);
  }
  return entry;
}

/** One entry of `routes`, compiled. */
const routeRule: JsonReader<CompiledRoute> = (value, path) => {
  const rule = object(value, path, ["route", "scopes", "groups"]);
  const route = string(rule.route, at(path, "route"), { what: 'a route like "GET /items/{id}"' });
  const scopes = optional(rule.scopes, at(path, "scopes"), names, []);
  const groups = optional(rule.groups, at(path, "groups"), names, []);
  try {
    return compileRoute(route, { scopes, groups });
  } catch (error) {
    return fail(at(path, "route"), (error as Error).message);
  }
};

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

/**
 * Validate the parsed `AUTHORIZER_CONFIG` JSON found at `path` (the variable's name); throws a
 * {@link JsonConfigError} naming the path of the first problem.
 */
export function parsePolicyConfig(
  value: unknown,
  path: JsonPath = "AUTHORIZER_CONFIG",
): AuthorizerPolicyConfig {
  const doc = object(value, path, ["userPools", "tokenUse", "contextClaims", "routes"]);
  const pools = optional(doc.userPools, at(path, "userPools"), (v, p) => array(v, p, userPool), []);
  return {
    userPools: mergeUserPools(pools),
    tokenUse: optional(
      doc.tokenUse,
      at(path, "tokenUse"),
      (v, p) => oneOf(v, p, TOKEN_USES),
      "access",
    ),
    contextClaims: optional(
      doc.contextClaims,
      at(path, "contextClaims"),
      (v, p) => array(v, p, contextClaim),
      [],
    ),
    routes: array(doc.routes, at(path, "routes"), routeRule, { min: 1 }),
  };
}

/** `AUTHORIZER_JWKS` / `AUTHORIZER_JWKS_FILE`: user pool id or issuer URL -> its JWKS. */
const jwksMap: JsonReader<Record<string, JwksDocument>> = (value, path) => {
  const out: Record<string, JwksDocument> = Object.create(null);
  for (const [key, jwks] of entries(value, path, (v, p) => {
    const doc = isRecord(v) ? v : expected(p, 'a JWKS: { "keys": [ ... ] }', v);
    array(doc.keys, at(p, "keys"), (k, kp) => (isRecord(k) ? k : expected(kp, "a JWK object", k)));
    return doc as unknown as JwksDocument;
  })) {
    out[key] = jwks;
  }
  return out;
};

function readBundledJwks(env: Env): Record<string, JwksDocument> {
  const inline = readJson(env, "AUTHORIZER_JWKS", {}, jwksMap);
  const file = optionalString(env, "AUTHORIZER_JWKS_FILE");
  if (file === undefined) return inline;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError("AUTHORIZER_JWKS_FILE", `cannot be read: ${file}`);
  }
  const fromFile = readJson({ AUTHORIZER_JWKS_FILE: text }, "AUTHORIZER_JWKS_FILE", {}, jwksMap);
  return { ...fromFile, ...inline };
}

const UNRESOLVED_CFN = "[object Object]";

/** The stack's own pool (AUTHORIZER_USER_POOL_ID + AUTHORIZER_CLIENT_IDS, from `!Ref` in serverless.yml). */
function readStackPool(env: Env, localMode: boolean): UserPoolConfig[] {
  // serverless-offline cannot resolve CloudFormation references (`!If`, `!Ref`) and passes
  // them as "[object Object]": in local mode that means "no stack pool" (AWS always resolves).
  const resolved = (name: string): Env =>
    localMode && env[name] === UNRESOLVED_CFN ? { [name]: undefined } : { [name]: env[name] };
  const stackPoolId = optionalString(
    resolved("AUTHORIZER_USER_POOL_ID"),
    "AUTHORIZER_USER_POOL_ID",
  );
  const clientIds = readList(resolved("AUTHORIZER_CLIENT_IDS"), "AUTHORIZER_CLIENT_IDS");
  if (stackPoolId === undefined) {
    if (clientIds.length > 0) {
      throw new ConfigError(
        "AUTHORIZER_USER_POOL_ID",
        "is required when AUTHORIZER_CLIENT_IDS is set",
      );
    }
    return [];
  }
  if (clientIds.length === 0) {
    throw new ConfigError(
      "AUTHORIZER_CLIENT_IDS",
      "is required when AUTHORIZER_USER_POOL_ID is set",
    );
  }
  try {
    return [
      {
        userPoolId: userPoolId(stackPoolId, "AUTHORIZER_USER_POOL_ID"),
        clientIds: clientIds.map((id, i) => clientId(id, `AUTHORIZER_CLIENT_IDS[${i}]`)),
        replicated: false,
      },
    ];
  } catch (error) {
    if (!(error instanceof JsonConfigError)) throw error;
    const variable = error.path.startsWith("AUTHORIZER_CLIENT_IDS")
      ? "AUTHORIZER_CLIENT_IDS"
      : "AUTHORIZER_USER_POOL_ID";
    throw new ConfigError(variable, error.problem, error.path);
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
