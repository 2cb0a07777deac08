/**
 * The pre-token-generation configuration: one JSON document in
 * `PRE_TOKEN_CONFIG`, parsed and validated once at cold start.
 *
 * Every problem (a reserved or protected claim, an unknown key, a value of the
 * wrong type, a bound exceeded) throws a {@link ConfigError} naming the variable
 * and the path of the offending entry, so a bad deployment fails on its first
 * invocation instead of issuing wrong tokens.
 */
import { type Env, readEnum, readJson } from "../config/env";
import { ConfigError } from "../errors";
import { isRecord } from "../guards";
import {
  CLAIM_NAME_PATTERN,
  LIMITS,
  PROTECTED_CLAIMS,
  reservedReason,
  SCOPE_PATTERN,
  SELF_SERVICE_SCOPE,
} from "./reserved";

/** The environment variable holding the JSON configuration. */
export const CONFIG_VARIABLE = "PRE_TOKEN_CONFIG";

/** The two tokens a claim can go to. V1 events customise only the ID token. */
export type TokenKind = "id" | "access";

/** How an attribute's string value is turned into a claim value. */
export type ClaimType = "string" | "number" | "boolean" | "stringList";

/** A claim value Cognito accepts (V1 accepts strings only; see `toV1Value`). */
export type ClaimValue = string | number | boolean | readonly string[];

/** One attribute -> claim mapping. */
export interface AttributeClaimRule {
  /** The claim name written to the token. */
  readonly claim: string;
  /** The user attribute it is read from (for example `custom:tenant_id`). */
  readonly attribute: string;
  /** How the attribute string is converted; a value that does not convert gives no claim. */
  readonly type: ClaimType;
  /** The tokens the claim goes to. */
  readonly tokens: readonly TokenKind[];
  /**
   * Whether an application may grant access on this claim (then its source must not be
   * user-writable). Default true, for either token: an authorizer can accept ID tokens and
   * forward any claim to backends; only an explicit `false` declares a display-only claim.
   */
  readonly grantsAccess: boolean;
}

/** Scopes one group (or one M2M client) adds to and suppresses from the access token. */
export interface ScopeChange {
  /** Scopes added to the access token. */
  readonly add: readonly string[];
  /** Scopes removed from the access token. */
  readonly suppress: readonly string[];
}

/** A `roles` claim derived from group membership. */
export interface RolesRule {
  /** The claim name (default `roles`). */
  readonly claim: string;
  /** The tokens the claim goes to. */
  readonly tokens: readonly TokenKind[];
  /** Group name -> the roles membership confers. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}

/** A group that makes an IAM role preferred (first match in list order wins). */
export interface PreferredRole {
  readonly group: string;
  readonly roleArn: string;
}

/** Changes to `cognito:groups` / `cognito:roles` / `cognito:preferred_role`. */
export interface GroupOverrideRule {
  /** When set, `cognito:groups` lists only these of the user's groups. */
  readonly visibleGroups?: ReadonlySet<string>;
  /** When non-empty, the IAM roles (and preferred role) come from this ordered list. */
  readonly preferredRoles: readonly PreferredRole[];
}

/** Access-token scope rules for user tokens. */
export interface ScopeRules {
  /** Group name -> scopes that membership adds and suppresses. */
  readonly groups: ReadonlyMap<string, ScopeChange>;
  /** Scopes always suppressed from user access tokens. */
  readonly suppress: readonly string[];
  /** Suppress a group-granted scope the user requested but whose group they are not in. */
  readonly suppressUngranted: boolean;
}

/** What one M2M (client-credentials) app client gets. */
export interface ClientRule {
  /** Static claims added to its access tokens. */
  readonly claims: ReadonlyMap<string, ClaimValue>;
  /** Scopes added to and suppressed from its access tokens. */
  readonly scopes: ScopeChange;
}

/** The validated configuration. */
export interface PreTokenConfig {
  /** Attribute -> claim mappings, in configuration order. */
  readonly claims: readonly AttributeClaimRule[];
  /** Claims suppressed from each token. */
  readonly suppressClaims: { readonly id: readonly string[]; readonly access: readonly string[] };
  /** Attributes no app client can write (declared by the operator); safe sources for access claims. */
  readonly readOnlyAttributes: ReadonlySet<string>;
  /** The roles claim, when configured. */
  readonly roles?: RolesRule;
  /** Group override, when configured. */
  readonly groupOverride?: GroupOverrideRule;
  /** Scope rules for user access tokens. */
  readonly scopes: ScopeRules;
  /** App client id -> M2M rules. */
  readonly clients: ReadonlyMap<string, ClientRule>;
  /** Refuse client-credentials tokens for clients not in `clients`. */
  readonly denyUnknownClients: boolean;
  /** Cold-start warnings (mutable sources of access-granting claims). */
  readonly warnings: readonly string[];
}

/** What the trigger does with an access-granting claim read from a user-writable attribute. */
export type MutableSourcePolicy = "warn" | "error";

/** Attributes no user or app client can ever write (Cognito sets them itself). */
const ALWAYS_READ_ONLY = new Set(["sub", "cognito:user_status"]);

/** The configuration used when `PRE_TOKEN_CONFIG` is unset: tokens pass through unchanged. */
export const EMPTY_CONFIG: PreTokenConfig = Object.freeze({
  claims: [],
  suppressClaims: { id: [], access: [] },
  readOnlyAttributes: new Set<string>(),
  scopes: { groups: new Map(), suppress: [], suppressUngranted: true },
  clients: new Map(),
  denyUnknownClients: false,
  warnings: [],
});

/**
 * Read and validate the configuration from the environment (cold start).
 *
 * - `PRE_TOKEN_CONFIG`: the JSON document (see docs/pre-token-generation.md); unset means no changes.
 * - `PRE_TOKEN_MUTABLE_SOURCE`: `warn` (default) or `error` when an access-granting claim
 *   comes from an attribute not declared read-only.
 */
export function loadPreTokenConfig(env: Env): PreTokenConfig {
  const policy = readEnum<MutableSourcePolicy>(
    env,
    "PRE_TOKEN_MUTABLE_SOURCE",
    ["warn", "error"],
    "warn",
  );
  const config = readJson(env, CONFIG_VARIABLE, EMPTY_CONFIG, parsePreTokenConfig);
  if (policy === "error" && config.warnings.length > 0) {
    throw new ConfigError("PRE_TOKEN_MUTABLE_SOURCE", `is "error": ${config.warnings[0]}`);
  }
  return config;
}

// ---- validation helpers: each throws an Error whose message starts with the path ----

function fail(path: string, problem: string): never {
  throw new Error(`${path} ${problem}`);
}

function record(value: unknown, path: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isRecord(value)) fail(path, "must be an object");
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      fail(path, `has unknown key "${key}" (allowed: ${allowed.join(", ")})`);
    }
  }
  return value;
}

/** An object used as a map (any keys); undefined gives no entries. */
function dict(value: unknown, path: string, required = false): [string, unknown][] {
  if (value === undefined && !required) return [];
  if (!isRecord(value)) fail(path, "must be an object");
  return Object.entries(value);
}

function text(value: unknown, path: string, maxLength: number): string {
  if (typeof value !== "string" || value.trim() === "") fail(path, "must be a non-empty string");
  if (value !== value.trim()) fail(path, "must not start or end with spaces");
  if (value.length > maxLength) fail(path, `must be at most ${maxLength} characters`);
  return value;
}

function texts(value: unknown, path: string, maxLength: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, "must be an array of strings");
  const out = value.map((item, i) => text(item, `${path}[${i}]`, maxLength));
  return [...new Set(out)];
}

function bool(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") fail(path, "must be true or false");
  return value;
}

/** A claim name the configuration may write: well-formed, not reserved, not protected. */
function targetClaim(value: unknown, path: string): string {
  const claim = text(value, path, LIMITS.claimNameLength);
  if (!CLAIM_NAME_PATTERN.test(claim))
    fail(path, `"${claim}" has characters outside [A-Za-z0-9_.:/-]`);
  const reserved = reservedReason(claim);
  if (reserved) fail(path, `"${claim}" ${reserved}`);
  if (PROTECTED_CLAIMS.has(claim.toLowerCase())) {
    fail(path, `"${claim}" is a Cognito-verified identity claim and cannot be set`);
  }
  return claim;
}

/** A claim name the configuration may suppress: anything but a reserved claim. */
function suppressibleClaim(value: unknown, path: string): string {
  const claim = text(value, path, LIMITS.claimNameLength);
  const reserved = reservedReason(claim);
  if (reserved) fail(path, `"${claim}" ${reserved} and cannot be suppressed`);
  return claim;
}

function scope(value: unknown, path: string): string {
  const s = text(value, path, LIMITS.scopeLength);
  if (!SCOPE_PATTERN.test(s)) fail(path, `"${s}" is not a valid OAuth scope`);
  return s;
}

function scopeChange(value: unknown, path: string): ScopeChange {
  const r = record(value, path, ["add", "suppress"]);
  const add = arrayOf(r.add, `${path}.add`, scope);
  for (const [i, s] of add.entries()) {
    if (s === SELF_SERVICE_SCOPE) {
      fail(`${path}.add[${i}]`, `"${s}" grants self-service attribute writes and cannot be added`);
    }
  }
  return { add, suppress: arrayOf(r.suppress, `${path}.suppress`, scope) };
}

function arrayOf<T>(value: unknown, path: string, item: (v: unknown, p: string) => T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, "must be an array");
  return [...new Set(value.map((v, i) => item(v, `${path}[${i}]`)))];
}

function tokens(value: unknown, path: string, fallback: readonly TokenKind[]): TokenKind[] {
  if (value === undefined) return [...fallback];
  const list = arrayOf(value, path, (v, p) => {
    if (v !== "id" && v !== "access") fail(p, `must be "id" or "access"`);
    return v as TokenKind;
  });
  if (list.length === 0) fail(path, "must name at least one token");
  return list;
}

/** A claim value within the bounds, as configured for an M2M client. */
export function staticClaimValue(value: unknown, path: string): ClaimValue {
  if (typeof value === "string") {
    if (value.length > LIMITS.stringLength)
      fail(path, `must be at most ${LIMITS.stringLength} characters`);
    return value;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(path, "must be a finite number");
    // JSON.parse has already rounded such a value: "9007199254740993" arrives as ...992.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      fail(path, "must be an integer within ±9007199254740991 (Number.MAX_SAFE_INTEGER)");
    }
    return value;
  }
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) {
    if (value.length > LIMITS.listItems) fail(path, `must have at most ${LIMITS.listItems} items`);
    return value.map((item, i) => {
      if (typeof item !== "string") fail(`${path}[${i}]`, "must be a string");
      if (item.length > LIMITS.listItemLength) {
        fail(`${path}[${i}]`, `must be at most ${LIMITS.listItemLength} characters`);
      }
      return item;
    });
  }
  return fail(path, "must be a string, number, boolean or array of strings");
}

const CLAIM_TYPES: readonly ClaimType[] = ["string", "number", "boolean", "stringList"];

function attributeClaim(value: unknown, path: string): AttributeClaimRule {
  const r = record(value, path, ["claim", "attribute", "type", "tokens", "grantsAccess"]);
  const claim = targetClaim(r.claim, `${path}.claim`);
  const attribute = text(r.attribute, `${path}.attribute`, 64);
  const type = r.type === undefined ? "string" : (r.type as ClaimType);
  if (!CLAIM_TYPES.includes(type)) fail(`${path}.type`, `must be one of ${CLAIM_TYPES.join(", ")}`);
  const to = tokens(r.tokens, `${path}.tokens`, ["id", "access"]);
  // Presumed to grant access in either token: the authorizer can accept ID tokens
  // (`tokenUse: "id"` or `"any"`) and forward claims to backends (`contextClaims`), so an
  // ID-token-only claim from a user-writable attribute is as dangerous as an access-token one.
  const grantsAccess = bool(r.grantsAccess, `${path}.grantsAccess`, true);
  return { claim, attribute, type, tokens: to, grantsAccess };
}

function groupName(value: unknown, path: string): string {
  return text(value, path, LIMITS.groupNameLength);
}

function rolesRule(value: unknown, path: string): RolesRule {
  const r = record(value, path, ["claim", "tokens", "groups"]);
  const claim = r.claim === undefined ? "roles" : targetClaim(r.claim, `${path}.claim`);
  const groups = new Map<string, readonly string[]>();
  for (const [group, roles] of dict(r.groups, `${path}.groups`, true)) {
    groups.set(
      groupName(group, `${path}.groups key`),
      texts(roles, `${path}.groups.${group}`, LIMITS.listItemLength),
    );
  }
  return { claim, tokens: tokens(r.tokens, `${path}.tokens`, ["id", "access"]), groups };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

function groupOverride(value: unknown, path: string): GroupOverrideRule {
  const r = record(value, path, ["visibleGroups", "preferredRoles"]);
  const preferredRoles = arrayOf(r.preferredRoles, `${path}.preferredRoles`, (v, p) => {
    const entry = record(v, p, ["group", "roleArn"]);
    const roleArn = text(entry.roleArn, `${p}.roleArn`, 2048);
    if (!ROLE_ARN.test(roleArn)) fail(`${p}.roleArn`, `"${roleArn}" is not an IAM role ARN`);
    return { group: groupName(entry.group, `${p}.group`), roleArn };
  });
  const rule: GroupOverrideRule = { preferredRoles };
  if (r.visibleGroups === undefined) return rule;
  return {
    ...rule,
    visibleGroups: new Set(arrayOf(r.visibleGroups, `${path}.visibleGroups`, groupName)),
  };
}

function scopeRules(value: unknown, path: string): ScopeRules {
  if (value === undefined) return EMPTY_CONFIG.scopes;
  const r = record(value, path, ["groups", "suppress", "suppressUngranted"]);
  const groups = new Map<string, ScopeChange>();
  for (const [group, change] of dict(r.groups, `${path}.groups`)) {
    groups.set(
      groupName(group, `${path}.groups key`),
      scopeChange(change, `${path}.groups.${group}`),
    );
  }
  return {
    groups,
    suppress: arrayOf(r.suppress, `${path}.suppress`, scope),
    suppressUngranted: bool(r.suppressUngranted, `${path}.suppressUngranted`, true),
  };
}

function clientRules(value: unknown, path: string): Map<string, ClientRule> {
  const clients = new Map<string, ClientRule>();
  if (value === undefined) return clients;
  for (const [clientId, raw] of dict(value, path)) {
    const p = `${path}.${clientId}`;
    if (!/^[\w+]{1,128}$/.test(clientId)) fail(p, "is not an app client id");
    const r = record(raw, p, ["claims", "scopes"]);
    const claims = new Map<string, ClaimValue>();
    for (const [claim, v] of dict(r.claims, `${p}.claims`)) {
      claims.set(
        targetClaim(claim, `${p}.claims key`),
        staticClaimValue(v, `${p}.claims.${claim}`),
      );
    }
    if (claims.size > LIMITS.claimsPerToken) {
      fail(`${p}.claims`, `must have at most ${LIMITS.claimsPerToken} claims`);
    }
    const scopes =
      r.scopes === undefined ? { add: [], suppress: [] } : scopeChange(r.scopes, `${p}.scopes`);
    clients.set(clientId, { claims, scopes });
  }
  return clients;
}

const TOP_LEVEL_KEYS = [
  "claims",
  "suppressClaims",
  "readOnlyAttributes",
  "roles",
  "groupOverride",
  "scopes",
  "clients",
  "denyUnknownClients",
] as const;

/**
 * Validate a parsed configuration document. Throws an Error naming the path of
 * the first problem (wrapped into a ConfigError by `readJson`).
 */
export function parsePreTokenConfig(value: unknown): PreTokenConfig {
  const r = record(value, "configuration", TOP_LEVEL_KEYS);
  const claims = arrayOf(r.claims, "claims", attributeClaim);
  const suppress =
    r.suppressClaims === undefined
      ? {}
      : record(r.suppressClaims, "suppressClaims", ["id", "access"]);
  const suppressClaims = {
    id: arrayOf(suppress.id, "suppressClaims.id", suppressibleClaim),
    access: arrayOf(suppress.access, "suppressClaims.access", suppressibleClaim),
  };
  const readOnlyAttributes = new Set(texts(r.readOnlyAttributes, "readOnlyAttributes", 64));
  const roles = r.roles === undefined ? undefined : rolesRule(r.roles, "roles");
  const override =
    r.groupOverride === undefined ? undefined : groupOverride(r.groupOverride, "groupOverride");
  const scopes = scopeRules(r.scopes, "scopes");
  const clients = clientRules(r.clients, "clients");
  const denyUnknownClients = bool(r.denyUnknownClients, "denyUnknownClients", false);

  // Each token: no claim written twice, none both written and suppressed, and a bounded count.
  for (const token of ["id", "access"] as const) {
    const written = new Map<string, string>();
    const add = (claim: string, where: string) => {
      const previous = written.get(claim);
      if (previous)
        fail(where, `writes claim "${claim}" to the ${token} token, as ${previous} does`);
      written.set(claim, where);
    };
    for (const [i, rule] of claims.entries())
      if (rule.tokens.includes(token)) add(rule.claim, `claims[${i}]`);
    if (roles?.tokens.includes(token)) add(roles.claim, "roles.claim");
    for (const [i, claim] of suppressClaims[token].entries()) {
      const writer = written.get(claim);
      if (writer)
        fail(`suppressClaims.${token}[${i}]`, `suppresses "${claim}", which ${writer} writes`);
    }
    if (written.size > LIMITS.claimsPerToken) {
      fail(
        "claims",
        `add ${written.size} claims to the ${token} token (at most ${LIMITS.claimsPerToken})`,
      );
    }
  }

  const warnings = claims
    .filter(
      (rule) =>
        rule.grantsAccess &&
        !ALWAYS_READ_ONLY.has(rule.attribute) &&
        !readOnlyAttributes.has(rule.attribute),
    )
    .map(
      (rule) =>
        `claim "${rule.claim}" grants access but comes from attribute "${rule.attribute}", which users can write unless no app client has it in WriteAttributes; remove it from every app client's WriteAttributes and list it in readOnlyAttributes`,
    );

  const config: PreTokenConfig = {
    claims,
    suppressClaims,
    readOnlyAttributes,
    scopes,
    clients,
    denyUnknownClients,
    warnings,
    ...(roles ? { roles } : {}),
    ...(override ? { groupOverride: override } : {}),
  };
  return config;
}

/** Every scope the configuration can add (the only scopes the trigger ever adds). */
export function configuredScopes(config: PreTokenConfig): Set<string> {
  const out = new Set<string>();
  for (const change of config.scopes.groups.values()) for (const s of change.add) out.add(s);
  for (const client of config.clients.values()) for (const s of client.scopes.add) out.add(s);
  return out;
}
