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
 * (configured names, in their exact case) are tried first, longest first, so a
 * name containing `_` is recognised; otherwise the split is at the first `_`.
 * Returns undefined when there is no `_` or either part is empty.
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
  const split = userName.indexOf("_");
  if (split <= 0 || split === userName.length - 1) return undefined;
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
