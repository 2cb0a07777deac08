/**
 * Email-domain rules: exact domain or any subdomain, case-insensitive.
 *
 * The domain is taken after the only `@` of a well-formed address, so
 * plus-addressing (`me+x@example.com`), mixed case, a trailing dot or a second
 * `@` hidden in the local part cannot move an address out of a denied domain.
 */
import { normaliseEmail } from "../events";

// ASCII (or punycode) host names with at least two labels. Non-ASCII domains are
// refused while domain rules are on: compare on their `xn--` form instead.
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const DOMAIN = new RegExp(`^(?:${LABEL}\\.)+${LABEL}$`);
// Local part: anything printable except whitespace and `@` (quotes, `+`, `%` are allowed).
const LOCAL = /^[^\s@]{1,64}$/;

/** Is `domain` a valid lower-case ASCII host name with at least two labels? */
export function isValidDomain(domain: string): boolean {
  return domain.length <= 253 && DOMAIN.test(domain);
}

/**
 * The lower-case domain of a well-formed email address, or undefined when the
 * address is malformed (no or several `@`, whitespace inside, non-ASCII or
 * invalid domain). One trailing dot on the domain is dropped (`a@x.com.`).
 */
export function strictEmailDomain(email: string): string | undefined {
  // Checked before lower-casing: `toLowerCase` turns some non-ASCII letters into ASCII ones
  // (the Kelvin sign U+212A becomes `k`), which would let `a@\u212Apmg.com`, another domain,
  // pass as `kpmg.com`.
  if (!/^[\x21-\x7e]*$/.test(email.trim().slice(email.trim().lastIndexOf("@") + 1))) {
    return undefined;
  }
  const normalised = normaliseEmail(email);
  const at = normalised.indexOf("@");
  if (at <= 0 || at !== normalised.lastIndexOf("@")) return undefined;
  const local = normalised.slice(0, at);
  const domain = normalised.slice(at + 1).replace(/\.$/, "");
  if (!LOCAL.test(local) || !isValidDomain(domain)) return undefined;
  return domain;
}

/** True when `domain` is one of `rules` or a subdomain of one (both lower-case). */
export function domainMatches(domain: string, rules: readonly string[]): boolean {
  for (const rule of rules) {
    if (domain === rule || domain.endsWith(`.${rule}`)) return true;
  }
  return false;
}

/**
 * Normalise one configured domain rule: trimmed, lower-case, without a leading
 * `@` or `*.` and without a trailing dot. Returns undefined when it is not a domain.
 */
export function normaliseDomainRule(rule: string): string | undefined {
  const domain = rule
    .trim()
    .toLowerCase()
    .replace(/^@|^\*\./, "")
    .replace(/\.$/, "");
  return isValidDomain(domain) ? domain : undefined;
}
