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
import {
  array,
  at,
  boolean,
  entries,
  expected,
  fail,
  type JsonPath,
  type JsonReader,
  object,
  oneOf,
  optional,
  string,
} from "../config/json";
import { ConfigError, quoteUntrusted } from "../errors";
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

// ---- validation, on the shared kit (shared/config/json.ts): every problem names its path ----

/** An object used as a map (any keys); absent gives no entries. */
function dict(value: unknown, path: JsonPath, required = false): [string, unknown][] {
  if (value === undefined && !required) return [];
  return entries(value, path, (v) => v);
}

function text(value: unknown, path: JsonPath, maxLength: number): string {
  return string(value, path, { maxLength });
}

/** An optional list of texts, repeats dropped. */
function texts(value: unknown, path: JsonPath, maxLength: number): string[] {
  return arrayOf(value, path, (v, p) => text(v, p, maxLength));
}

/** An optional list, repeats dropped; absent gives `[]`. */
function arrayOf<T>(value: unknown, path: JsonPath, item: JsonReader<T>): T[] {
  return optional(value, path, (v, p) => array(v, p, item, { unique: true }), []);
}

function bool(value: unknown, path: JsonPath, fallback: boolean): boolean {
  return optional(value, path, boolean, fallback);
}

/** A claim name the configuration may write: well-formed, not reserved, not protected. */
function targetClaim(value: unknown, path: JsonPath): string {
  const claim = text(value, path, LIMITS.claimNameLength);
  if (!CLAIM_NAME_PATTERN.test(claim)) {
    fail(path, `${quoteUntrusted(claim)} has characters outside [A-Za-z0-9_.:/-]`);
  }
  const reserved = reservedReason(claim);
  if (reserved) fail(path, `${quoteUntrusted(claim)} ${reserved}`);
  if (PROTECTED_CLAIMS.has(claim.toLowerCase())) {
    fail(path, `${quoteUntrusted(claim)} is a Cognito-verified identity claim and cannot be set`);
  }
  return claim;
}

/** A claim name the configuration may suppress: anything but a reserved claim. */
function suppressibleClaim(value: unknown, path: JsonPath): string {
  const claim = text(value, path, LIMITS.claimNameLength);
  const reserved = reservedReason(claim);
  if (reserved) fail(path, `${quoteUntrusted(claim)} ${reserved} and cannot be suppressed`);
  return claim;
}

function scope(value: unknown, path: JsonPath): string {
  return string(value, path, {
    what: "an OAuth scope",
    maxLength: LIMITS.scopeLength,
    pattern: SCOPE_PATTERN,
  });
}

function scopeChange(value: unknown, path: JsonPath): ScopeChange {
  const r = object(value, path, ["add", "suppress"]);
  const add = arrayOf(r.add, at(path, "add"), scope);
  for (const [i, s] of add.entries()) {
    if (s === SELF_SERVICE_SCOPE) {
      fail(
        at(at(path, "add"), i),
        `${quoteUntrusted(s)} grants self-service attribute writes and cannot be added`,
      );
    }
  }
  return { add, suppress: arrayOf(r.suppress, at(path, "suppress"), scope) };
}

const TOKEN_KINDS: readonly TokenKind[] = ["id", "access"];

function tokens(value: unknown, path: JsonPath, fallback: readonly TokenKind[]): TokenKind[] {
  if (value === undefined) return [...fallback];
  return array(value, path, (v, p) => oneOf(v, p, TOKEN_KINDS), { min: 1, unique: true });
}

/** A claim value within the bounds, as configured for an M2M client. */
export function staticClaimValue(value: unknown, path: JsonPath): ClaimValue {
  if (typeof value === "string") {
    if (value.length > LIMITS.stringLength) {
      expected(path, `a string of at most ${LIMITS.stringLength} characters`, value);
    }
    return value;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(path, "expected a finite number");
    // JSON.parse has already rounded such a value: "9007199254740993" arrives as ...992.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      fail(path, "expected an integer within ±9007199254740991 (Number.MAX_SAFE_INTEGER)");
    }
    return value;
  }
  if (typeof value === "boolean") return value;
  if (Array.isArray(value)) {
    if (value.length > LIMITS.listItems) {
      expected(path, `at most ${LIMITS.listItems} items`, value);
    }
    return value.map((item, i) => {
      if (typeof item !== "string") expected(at(path, i), "a string", item);
      if (item.length > LIMITS.listItemLength) {
        expected(at(path, i), `a string of at most ${LIMITS.listItemLength} characters`, item);
      }
      return item;
    });
  }
  return expected(path, "a string, number, boolean or array of strings", value);
}

const CLAIM_TYPES: readonly ClaimType[] = ["string", "number", "boolean", "stringList"];

function attributeClaim(value: unknown, path: JsonPath): AttributeClaimRule {
  const r = object(value, path, ["claim", "attribute", "type", "tokens", "grantsAccess"]);
  const claim = targetClaim(r.claim, at(path, "claim"));
  const attribute = text(r.attribute, at(path, "attribute"), 64);
  const type = optional(r.type, at(path, "type"), (v, p) => oneOf(v, p, CLAIM_TYPES), "string");
  const to = tokens(r.tokens, at(path, "tokens"), ["id", "access"]);
  // Presumed to grant access in either token: the authorizer can accept ID tokens
  // (`tokenUse: "id"` or `"any"`) and forward claims to backends (`contextClaims`), so an
  // ID-token-only claim from a user-writable attribute is as dangerous as an access-token one.
  const grantsAccess = bool(r.grantsAccess, at(path, "grantsAccess"), true);
  return { claim, attribute, type, tokens: to, grantsAccess };
}

function groupName(value: unknown, path: JsonPath): string {
  return text(value, path, LIMITS.groupNameLength);
}

function rolesRule(value: unknown, path: JsonPath): RolesRule {
  const r = object(value, path, ["claim", "tokens", "groups"]);
  const claim = optional(r.claim, at(path, "claim"), targetClaim, "roles");
  const groups = new Map<string, readonly string[]>();
  const groupsPath = at(path, "groups");
  for (const [group, roles] of dict(r.groups, groupsPath, true)) {
    const where = at(groupsPath, group);
    groups.set(groupName(group, where), texts(roles, where, LIMITS.listItemLength));
  }
  return { claim, tokens: tokens(r.tokens, at(path, "tokens"), ["id", "access"]), groups };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

function groupOverride(value: unknown, path: JsonPath): GroupOverrideRule {
  const r = object(value, path, ["visibleGroups", "preferredRoles"]);
  const preferredRoles = arrayOf(r.preferredRoles, at(path, "preferredRoles"), (v, p) => {
    const entry = object(v, p, ["group", "roleArn"]);
    const roleArn = string(entry.roleArn, at(p, "roleArn"), {
      what: "an IAM role ARN",
      maxLength: 2048,
      pattern: ROLE_ARN,
    });
    return { group: groupName(entry.group, at(p, "group")), roleArn };
  });
  const rule: GroupOverrideRule = { preferredRoles };
  if (r.visibleGroups === undefined) return rule;
  return {
    ...rule,
    visibleGroups: new Set(arrayOf(r.visibleGroups, at(path, "visibleGroups"), groupName)),
  };
}

function scopeRules(value: unknown, path: JsonPath): ScopeRules {
  if (value === undefined) return EMPTY_CONFIG.scopes;
  const r = object(value, path, ["groups", "suppress", "suppressUngranted"]);
  const groups = new Map<string, ScopeChange>();
  const groupsPath = at(path, "groups");
  for (const [group, change] of dict(r.groups, groupsPath)) {
    const where = at(groupsPath, group);
    groups.set(groupName(group, where), scopeChange(change, where));
  }
  return {
    groups,
    suppress: arrayOf(r.suppress, at(path, "suppress"), scope),
    suppressUngranted: bool(r.suppressUngranted, at(path, "suppressUngranted"), true),
  };
}

const APP_CLIENT_ID = /^[\w+]{1,128}$/;

function clientRules(value: unknown, path: JsonPath): Map<string, ClientRule> {
  const clients = new Map<string, ClientRule>();
  for (const [clientId, raw] of dict(value, path)) {
    const p = at(path, clientId);
    string(clientId, p, { what: "an app client id as the key", pattern: APP_CLIENT_ID });
    const r = object(raw, p, ["claims", "scopes"]);
    const claims = new Map<string, ClaimValue>();
    const claimsPath = at(p, "claims");
    for (const [claim, v] of dict(r.claims, claimsPath)) {
      const where = at(claimsPath, claim);
      claims.set(targetClaim(claim, where), staticClaimValue(v, where));
    }
    if (claims.size > LIMITS.claimsPerToken) {
      fail(claimsPath, `expected at most ${LIMITS.claimsPerToken} claims, got ${claims.size}`);
    }
    const scopes = optional(r.scopes, at(p, "scopes"), scopeChange, { add: [], suppress: [] });
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
 * Validate a parsed configuration document found at `path` (the variable's name). Throws a
 * {@link JsonConfigError} naming the path of the first problem (a ConfigError through `readJson`).
 */
export function parsePreTokenConfig(
  value: unknown,
  path: JsonPath = CONFIG_VARIABLE,
): PreTokenConfig {
  const r = object(value, path, TOP_LEVEL_KEYS);
  const claimsPath = at(path, "claims");
  const claims = arrayOf(r.claims, claimsPath, attributeClaim);
  const suppressPath = at(path, "suppressClaims");
  const suppress = optional(
    r.suppressClaims,
    suppressPath,
    (v, p) => object(v, p, ["id", "access"]),
    {},
  );
  const suppressClaims = {
    id: arrayOf(suppress.id, at(suppressPath, "id"), suppressibleClaim),
    access: arrayOf(suppress.access, at(suppressPath, "access"), suppressibleClaim),
  };
  const readOnlyAttributes = new Set(
    texts(r.readOnlyAttributes, at(path, "readOnlyAttributes"), 64),
  );
  const rolesPath = at(path, "roles");
  const roles = optional<RolesRule | undefined>(r.roles, rolesPath, rolesRule, undefined);
  const override = optional<GroupOverrideRule | undefined>(
    r.groupOverride,
    at(path, "groupOverride"),
    groupOverride,
    undefined,
  );
  const scopes = scopeRules(r.scopes, at(path, "scopes"));
  const clients = clientRules(r.clients, at(path, "clients"));
  const denyUnknownClients = bool(r.denyUnknownClients, at(path, "denyUnknownClients"), false);

  // Each token: no claim written twice, none both written and suppressed, and a bounded count.
  for (const token of ["id", "access"] as const) {
    const written = new Map<string, string>();
    const add = (claim: string, where: string) => {
      const previous = written.get(claim);
      if (previous) {
        fail(
          where,
          `writes claim ${quoteUntrusted(claim)} to the ${token} token, as ${previous} does`,
        );
      }
      written.set(claim, where);
    };
    for (const [i, rule] of claims.entries()) {
      if (rule.tokens.includes(token)) add(rule.claim, at(claimsPath, i));
    }
    if (roles?.tokens.includes(token)) add(roles.claim, at(rolesPath, "claim"));
    for (const [i, claim] of suppressClaims[token].entries()) {
      const writer = written.get(claim);
      if (writer) {
        fail(
          at(at(suppressPath, token), i),
          `suppresses ${quoteUntrusted(claim)}, which ${writer} writes`,
        );
      }
    }
    if (written.size > LIMITS.claimsPerToken) {
      fail(
        claimsPath,
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
