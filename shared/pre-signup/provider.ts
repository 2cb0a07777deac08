/**
 * Federated identities as Cognito names them in `userName`: `<ProviderName>_<subject>`.
 *
 * Cognito's provider-name pattern forbids `_` (except, oddly, as the second
 * character), while subjects may contain anything, `_` included (SAML NameIDs,
 * OIDC `sub`s). So the name is split at the first `_`, unless a configured
 * provider name (which may contain `_`) matches the start. Pools with
 * case-insensitive user names send the `userName` lower-cased (`google_123`),
 * but AdminLinkProviderForUser wants the provider name in its exact case, so
 * the case is taken from the configured or built-in names.
 *
 * The subject's case cannot be restored that way: `okta_00uabc123` may stand for
 * `00uAbC123`. {@link resolveSubject} takes the case-preserved subject from a
 * user attribute the IdP's attribute mapping fills, when configured.
 */

/** The social providers Cognito names itself, in the case AdminLinkProviderForUser expects. */
export const BUILT_IN_PROVIDERS = ["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];

/** A federated identity: the IdP name as configured in the pool, and the user's subject there. */
export interface FederatedIdentity {
  readonly providerName: string;
  readonly subject: string;
}

/**
 * Parse `userName` of a `PreSignUp_ExternalProvider` event. `knownProviders`
 * (configured names, in their exact case) are tried first, longest first;
 * otherwise the split is at the first `_`, or at the next one when the first is
 * the name's second character (the only place Cognito allows it).
 * Returns undefined when there is no separator or either part is empty.
 */
export function parseFederatedUserName(
  userName: string,
  knownProviders: readonly string[],
): FederatedIdentity | undefined {
  const lower = userName.toLowerCase();
  const candidates = [...knownProviders, ...BUILT_IN_PROVIDERS].sort((a, b) => b.length - a.length);
  for (const name of candidates) {
    const prefix = `${name.toLowerCase()}_`;
    if (lower.startsWith(prefix) && userName.length > prefix.length) {
      return { providerName: name, subject: userName.slice(prefix.length) };
    }
  }
  // A `_` in the second character belongs to the name (`X_Corp_abc` is `X_Corp` / `abc`): the
  // pattern (`[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`) allows `_` only there and
  // needs a third character, so the separator is the first `_` after the third character.
  const first = userName.indexOf("_");
  const split = first === 1 ? userName.indexOf("_", 3) : first;
  if (split <= 0 || split === userName.length - 1) return undefined;
  if (first === 1 && userName[2] === "_") return undefined;
  return { providerName: userName.slice(0, split), subject: userName.slice(split + 1) };
}

/** Escape a value for a ListUsers filter string (`\` and `"` are backslash-escaped). */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`);
}

/** The ListUsers filter that finds users whose `email` is exactly `email`. */
export function emailFilter(email: string): string {
  return `email = "${escapeFilterValue(email)}"`;
}

/** Where the subject used for linking came from. */
export type SubjectSource = "attribute" | "user-name";

/** The subject to link with, where it came from, and whether its case can be trusted. */
export interface ResolvedSubject {
  readonly identity: FederatedIdentity;
  readonly source: SubjectSource;
  /**
   * True when the subject is known to be in the IdP's case: it came from the attribute,
   * has no letters (Google's and Facebook's numeric ids), or has an upper-case letter (so
   * `userName` was not lower-cased). False for a subject with letters, all lower-case,
   * from `userName`: a case-insensitive pool may have lowered it.
   */
  readonly caseSafe: boolean;
}

/**
 * The subject to link with: the value of `subjectAttribute` (e.g. `custom:idp_sub`, mapped
 * from the IdP's `sub` / NameID) when present and equal to the `userName` subject ignoring
 * case, else the subject from `userName`. A different value is ignored: it is not this
 * identity's subject (a mapping mistake), and linking must use the subject Cognito sees.
 */
export function resolveSubject(
  identity: FederatedIdentity,
  attributes: Readonly<Record<string, string>>,
  subjectAttribute: string | undefined,
): ResolvedSubject {
  const value = subjectAttribute === undefined ? undefined : attributes[subjectAttribute]?.trim();
  if (value && value.toLowerCase() === identity.subject.toLowerCase()) {
    return { identity: { ...identity, subject: value }, source: "attribute", caseSafe: true };
  }
  const { subject } = identity;
  const caseSafe = !/\p{L}/u.test(subject) || subject !== subject.toLowerCase();
  return { identity, source: "user-name", caseSafe };
}

/**
 * Does `identities` (a user's linked identities) hold `identity`? The provider name is
 * compared ignoring case (a case-insensitive pool lower-cases it in `userName` when it is
 * not in PRE_SIGNUP_IDENTITY_PROVIDERS); the subject exactly, as Cognito matches it at
 * sign-in: `00uAbC123` and `00uabc123` are different identities.
 */
export function hasIdentity(
  identities: readonly { readonly providerName: string; readonly userId: string }[],
  identity: FederatedIdentity,
): boolean {
  const provider = identity.providerName.toLowerCase();
  return identities.some(
    (linked) =>
      linked.providerName.toLowerCase() === provider && linked.userId === identity.subject,
  );
}

/** The ListUsers filter that finds the user whose username is exactly `username`. */
export function usernameFilter(username: string): string {
  return `username = "${escapeFilterValue(username)}"`;
}
