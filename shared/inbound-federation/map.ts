/**
 * The pure part of inbound federation: from the attributes a provider sent to the attributes
 * Cognito writes. No I/O; malformed provider data gives a documented default or a refusal,
 * never an exception.
 */
import { looksLikeEmail, MAX_ATTRIBUTE_LENGTH } from "../cognito-attributes";
import { normaliseEmail } from "../events";
import { isRecord } from "../guards";
import { ANY_PROVIDER, type InboundFederationConfig, type ProviderMapping } from "./config";

/** What to write, or why the sign-in is refused. */
export type FederationPlan =
  | {
      readonly kind: "map";
      /** The response's `userAttributesToMap`: never empty (Cognito would keep everything). */
      readonly attributes: Record<string, string>;
      /** Attributes left out and why (logged; names only, never values). */
      readonly dropped: readonly { readonly attribute: string; readonly reason: string }[];
    }
  | { readonly kind: "refuse"; readonly reason: string };

/** The provider data as the event carries it (untrusted). */
export interface ProviderData {
  readonly providerName: unknown;
  readonly attributes: unknown;
}

// The sources claims are read from, in order. Never `tokenResponse`: it holds the tokens.
const SOURCES = ["userInfo", "idToken", "samlResponse"] as const;

function claim(sources: readonly Record<string, unknown>[], names: readonly string[]): unknown {
  for (const name of names) {
    for (const source of sources) {
      if (Object.hasOwn(source, name) && source[name] !== null && source[name] !== "")
        return source[name];
    }
  }
  return undefined;
}

/**
 * Every value of a claim as strings: a string, a JSON array in a string (`["a","b"]`), a SAML
 * multi-value as Cognito renders it (`[a, b]`), a real array, a number or a boolean. Objects
 * and nested arrays give nothing.
 */
export function claimValues(value: unknown): string[] {
  if (typeof value === "number" || typeof value === "boolean") return [String(value)];
  if (Array.isArray(value))
    return value
      .flatMap((v) => (typeof v === "string" || typeof v === "number" ? [String(v).trim()] : []))
      .filter((v) => v !== "");
  if (typeof value !== "string") return [];
  const text = value.trim();
  if (text.startsWith("[") && text.endsWith("]")) {
    // A JSON array of strings starts `["` (or is `[]`); anything else is SAML's `[a, b]`. Checked
    // first because a failed JSON.parse (an exception) costs more than the whole mapping.
    if (/^\[\s*(?:"|\])/.test(text)) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return claimValues(parsed);
      } catch {
        // Not JSON after all: split it as SAML's rendering.
      }
    }
    return text
      .slice(1, -1)
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
  }
  return text === "" ? [] : [text];
}

function isTrue(value: unknown): boolean {
  const first = claimValues(value)[0];
  return first !== undefined && first.toLowerCase() === "true";
}

/** The mapping for `providerName`: its own, else `*`, else none. */
export function mappingFor(
  config: InboundFederationConfig,
  providerName: string,
): ProviderMapping | undefined {
  return Object.hasOwn(config.mappings, providerName)
    ? config.mappings[providerName]
    : config.mappings[ANY_PROVIDER];
}

/** True when `providerName` may vouch for email addresses (the list pre-signup links on; empty: every provider). */
export function isTrustedProvider(config: InboundFederationConfig, providerName: string): boolean {
  return config.trustedProviders.length === 0 || config.trustedProviders.includes(providerName);
}

/** Map a provider's attributes with the configured mapping. */
export function planFederation(
  data: ProviderData,
  config: InboundFederationConfig,
): FederationPlan {
  if (typeof data.providerName !== "string" || data.providerName === "") {
    return { kind: "refuse", reason: "no provider name" };
  }
  const mapping = mappingFor(config, data.providerName);
  if (mapping === undefined) return { kind: "refuse", reason: "provider not configured" };
  const raw = isRecord(data.attributes) ? data.attributes : {};
  const sources: Record<string, unknown>[] = [];
  for (const name of SOURCES) {
    const source = raw[name];
    if (isRecord(source)) sources.push(source);
  }

  // Keys come from the validated config only, so a plain object is safe here.
  const attributes: Record<string, string> = {};
  const dropped: { attribute: string; reason: string }[] = [];
  for (const [attribute, names] of mapping.entries) {
    const found = claim(sources, names);
    if (found === undefined) continue;
    let value = claimValues(found)[0];
    if (value === undefined) {
      dropped.push({ attribute, reason: "not a string" });
      continue;
    }
    if (attribute === "email") {
      value = normaliseEmail(value);
      if (!looksLikeEmail(value)) {
        dropped.push({ attribute, reason: "not an email address" });
        continue;
      }
    }
    if (value.length > MAX_ATTRIBUTE_LENGTH) {
      dropped.push({ attribute, reason: `over ${MAX_ATTRIBUTE_LENGTH} characters` });
      continue;
    }
    attributes[attribute] = value;
  }

  if (mapping.groups !== undefined) {
    const groups = [...new Set(claimValues(claim(sources, mapping.groups.claims)))].filter(
      (g) => !g.includes(","),
    );
    let joined = "";
    let left = 0;
    for (const group of groups) {
      const next = joined === "" ? group : `${joined},${group}`;
      if (next.length > MAX_ATTRIBUTE_LENGTH) left++;
      else joined = next;
    }
    if (left > 0)
      dropped.push({
        attribute: mapping.groups.attribute,
        reason: `${left} groups over ${MAX_ATTRIBUTE_LENGTH} characters`,
      });
    if (joined !== "") attributes[mapping.groups.attribute] = joined;
  }

  if (attributes.email !== undefined) {
    const trusted = isTrustedProvider(config, data.providerName);
    const verified =
      trusted &&
      (mapping.emailVerified === "always" ||
        (mapping.emailVerified === "claim" && isTrue(claim(sources, ["email_verified"]))));
    attributes.email_verified = verified ? "true" : "false";
  }

  const missing = mapping.required.filter((r) => attributes[r] === undefined);
  if (missing.length > 0)
    return { kind: "refuse", reason: `missing required ${missing.join(", ")}` };
  // An empty map tells Cognito to keep every attribute the provider sent: never answer one.
  if (Object.keys(attributes).length === 0)
    return { kind: "refuse", reason: "no attribute could be mapped" };
  return { kind: "map", attributes, dropped };
}
