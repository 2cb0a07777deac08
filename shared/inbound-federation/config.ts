/**
 * The inbound federation trigger's settings, parsed once at cold start; a malformed mapping
 * throws a ConfigError naming the variable. Every key: docs/inbound-federation.md.
 */
import { isCustomAttribute, isWritableAttribute } from "../cognito-attributes";
import { type Env, readJson, readList } from "../config/env";
import { ConfigError } from "../errors";

/** How a provider's `email_verified` is decided (only ever "true" for a trusted provider). */
export const EMAIL_VERIFIED_MODES = ["claim", "always", "never"] as const;
/** `claim`: the provider's own `email_verified` claim. `always`: the provider verifies every address (a SAML IdP of your own). `never`: always "false". */
export type EmailVerifiedMode = (typeof EMAIL_VERIFIED_MODES)[number];

/** A group or role claim written into one custom attribute, comma-separated. */
export interface GroupsMapping {
  /** The claims to read, first present wins. */
  readonly claims: readonly string[];
  /** The `custom:<name>` attribute that receives the groups. */
  readonly attribute: string;
}

/** One provider's mapping. */
export interface ProviderMapping {
  /** Pool attribute -> the provider claims to read it from, first present wins. Everything else is dropped. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** `attributes` as entries, computed once (the per-sign-in loop reads these). */
  readonly entries: readonly (readonly [string, readonly string[]])[];
  readonly groups: GroupsMapping | undefined;
  readonly emailVerified: EmailVerifiedMode;
  /** Pool attributes without which the sign-in is refused. */
  readonly required: readonly string[];
}

/** Settings of the inbound federation trigger. */
export interface InboundFederationConfig {
  /** INBOUND_FEDERATION_MAPPINGS: provider name (exact) -> mapping; `*` for every other provider. */
  readonly mappings: Readonly<Record<string, ProviderMapping>>;
  /** PRE_SIGNUP_LINK_PROVIDERS: the providers trusted to verify email, shared with pre-signup's linking (empty: every provider). */
  readonly trustedProviders: readonly string[];
}

/** The claim names of common IdPs for the default mapping: OIDC first, then the SAML URIs. */
const CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims";

const DEFAULT_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  email: ["email", `${CLAIMS}/emailaddress`, "mail"],
  given_name: ["given_name", `${CLAIMS}/givenname`, "firstName"],
  family_name: ["family_name", `${CLAIMS}/surname`, "lastName"],
  name: ["name", `${CLAIMS}/name`, "displayName"],
};

/** The mapping for every provider when INBOUND_FEDERATION_MAPPINGS is unset. */
export const DEFAULT_MAPPING: ProviderMapping = {
  attributes: DEFAULT_ATTRIBUTES,
  entries: Object.entries(DEFAULT_ATTRIBUTES),
  groups: undefined,
  emailVerified: "claim",
  required: [],
};

/** The provider key that applies to every provider not named. */
export const ANY_PROVIDER = "*";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function claimList(value: unknown, where: string): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((c) => typeof c === "string" && c !== "")
  ) {
    throw new Error(`${where} must be a claim name or a non-empty list of them`);
  }
  return list as string[];
}

function validateProvider(name: string, value: unknown): ProviderMapping {
  if (!isRecord(value)) throw new Error(`"${name}" must be an object`);
  const unknown = Object.keys(value).filter(
    (k) => !["attributes", "groups", "emailVerified", "required"].includes(k),
  );
  if (unknown.length > 0) throw new Error(`"${name}" has unknown keys ${unknown.join(", ")}`);
  if (!isRecord(value.attributes)) throw new Error(`"${name}".attributes must be an object`);
  const attributes: Record<string, string[]> = Object.create(null);
  for (const [attribute, claims] of Object.entries(value.attributes)) {
    if (!isWritableAttribute(attribute)) {
      throw new Error(
        `"${name}".attributes: "${attribute}" is not a standard attribute or custom:<name>`,
      );
    }
    attributes[attribute] = claimList(claims, `"${name}".attributes.${attribute}`);
  }
  let groups: GroupsMapping | undefined;
  if (value.groups !== undefined) {
    if (!isRecord(value.groups)) throw new Error(`"${name}".groups must be an object`);
    const attribute = value.groups.attribute;
    if (typeof attribute !== "string" || !isCustomAttribute(attribute)) {
      throw new Error(`"${name}".groups.attribute must be a custom:<name> attribute`);
    }
    if (attribute in attributes) throw new Error(`"${name}": "${attribute}" is mapped twice`);
    groups = { claims: claimList(value.groups.claim, `"${name}".groups.claim`), attribute };
  }
  const emailVerified = value.emailVerified ?? "claim";
  if (!(EMAIL_VERIFIED_MODES as readonly unknown[]).includes(emailVerified)) {
    throw new Error(`"${name}".emailVerified must be one of ${EMAIL_VERIFIED_MODES.join(", ")}`);
  }
  const required = value.required ?? [];
  if (
    !Array.isArray(required) ||
    !required.every((r) => typeof r === "string" && (r in attributes || r === groups?.attribute))
  ) {
    throw new Error(`"${name}".required must list mapped attributes`);
  }
  return {
    attributes,
    entries: Object.entries(attributes),
    groups,
    emailVerified: emailVerified as EmailVerifiedMode,
    required,
  };
}

/** Check INBOUND_FEDERATION_MAPPINGS' JSON. */
export function validateMappings(value: unknown): Record<string, ProviderMapping> {
  if (!isRecord(value) || Object.keys(value).length === 0) {
    throw new Error("must be a non-empty JSON object of provider name to mapping");
  }
  const out: Record<string, ProviderMapping> = Object.create(null);
  for (const [name, mapping] of Object.entries(value)) out[name] = validateProvider(name, mapping);
  return out;
}

/** Parse the inbound federation settings. */
export function loadInboundFederationConfig(env: Env = process.env): InboundFederationConfig {
  const mappings = readJson(
    env,
    "INBOUND_FEDERATION_MAPPINGS",
    { [ANY_PROVIDER]: DEFAULT_MAPPING },
    validateMappings,
  );
  const trustedProviders = readList(env, "PRE_SIGNUP_LINK_PROVIDERS");
  // `always` trusts a provider's every address: only for a provider named in the trust list.
  for (const [name, mapping] of Object.entries(mappings)) {
    if (
      mapping.emailVerified === "always" &&
      (name === ANY_PROVIDER || !trustedProviders.includes(name))
    ) {
      throw new ConfigError(
        "INBOUND_FEDERATION_MAPPINGS",
        `"${name}".emailVerified "always" needs the provider named in PRE_SIGNUP_LINK_PROVIDERS`,
      );
    }
  }
  return { mappings, trustedProviders };
}
