/**
 * The inbound federation trigger's settings, parsed once at cold start; a malformed mapping
 * throws a ConfigError naming the variable. Every key: docs/inbound-federation.md.
 */
import { isCustomAttribute, isWritableAttribute } from "../cognito-attributes";
import { type Env, readJson, readList } from "../config/env";
import {
  array,
  at,
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

/** A claim name, or a non-empty list of them (first present wins). */
const claimList: JsonReader<string[]> = (value, path) =>
  typeof value === "string"
    ? [string(value, path, { what: "a claim name or a non-empty list of them" })]
    : array(value, path, (c, p) => string(c, p, { what: "a claim name" }), { min: 1 });

const validateProvider: JsonReader<ProviderMapping> = (value, path) => {
  const mapping = object(value, path, ["attributes", "groups", "emailVerified", "required"]);
  const attributesPath = at(path, "attributes");
  const attributes: Record<string, string[]> = Object.create(null);
  for (const [attribute, claims] of entries(mapping.attributes, attributesPath, claimList)) {
    if (!isWritableAttribute(attribute)) {
      fail(
        at(attributesPath, attribute),
        `${quoteUntrusted(attribute)} is not a standard attribute or custom:<name>`,
      );
    }
    attributes[attribute] = claims;
  }
  const groups = optional<GroupsMapping | undefined>(
    mapping.groups,
    at(path, "groups"),
    (v, p) => {
      const g = object(v, p, ["claim", "attribute"]);
      const attribute = string(g.attribute, at(p, "attribute"), {
        what: "a custom:<name> attribute",
      });
      if (!isCustomAttribute(attribute)) {
        expected(at(p, "attribute"), "a custom:<name> attribute", attribute);
      }
      if (attribute in attributes)
        fail(at(p, "attribute"), `${quoteUntrusted(attribute)} is mapped twice`);
      return { claims: claimList(g.claim, at(p, "claim")), attribute };
    },
    undefined,
  );
  const emailVerified = optional(
    mapping.emailVerified,
    at(path, "emailVerified"),
    (v, p) => oneOf(v, p, EMAIL_VERIFIED_MODES),
    "claim",
  );
  const required = optional(
    mapping.required,
    at(path, "required"),
    (v, p) =>
      array(v, p, (r, rp) => {
        if (typeof r !== "string" || !(r in attributes || r === groups?.attribute)) {
          expected(rp, "a mapped attribute", r);
        }
        return r;
      }),
    [],
  );
  return { attributes, entries: Object.entries(attributes), groups, emailVerified, required };
};

/** Check INBOUND_FEDERATION_MAPPINGS' JSON: provider name -> mapping, at least one. */
export function validateMappings(
  value: unknown,
  path: JsonPath = "INBOUND_FEDERATION_MAPPINGS",
): Record<string, ProviderMapping> {
  const out: Record<string, ProviderMapping> = Object.create(null);
  for (const [name, mapping] of entries(value, path, validateProvider)) out[name] = mapping;
  if (Object.keys(out).length === 0) expected(path, "at least one provider", value);
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
        '"always" needs the provider named in PRE_SIGNUP_LINK_PROVIDERS',
        at(at("INBOUND_FEDERATION_MAPPINGS", name), "emailVerified"),
      );
    }
  }
  return { mappings, trustedProviders };
}
