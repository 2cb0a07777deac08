/**
 * The user directory the linking step talks to: the three Cognito admin calls it makes
 * (ListUsers, AdminCreateUser, AdminLinkProviderForUser), behind an interface with two
 * implementations: Cognito (cognito-directory.ts) and the local stand-in (local-directory.ts).
 * This module loads no AWS SDK code, so the function can load the Cognito client only when a
 * federated sign-in needs it.
 */
import type { Deadline } from "../aws/clients";
import { normaliseEmail } from "../events";
import type { DirectoryUser } from "./decide";
import type { FederatedIdentity } from "./provider";

/** Result of a link call: done now, or it was done before (by us or a concurrent sign-in). */
export type LinkResult = "linked" | "already-linked";

/** The Cognito operations the pre-signup trigger needs, each bounded by the invocation's deadline. */
export interface UserDirectory {
  /** Users whose `email` attribute is the given email (normalised, and as given when that differs). */
  findUsersByEmail(userPoolId: string, email: string, deadline: Deadline): Promise<DirectoryUser[]>;
  /** Create a native user with a verified email and no invitation message; its username, or undefined when it already exists. */
  createNativeUser(
    userPoolId: string,
    email: string,
    deadline: Deadline,
  ): Promise<string | undefined>;
  /** Link `identity` to the native user `destination`. */
  linkProvider(
    userPoolId: string,
    destination: string,
    identity: FederatedIdentity,
    deadline: Deadline,
  ): Promise<LinkResult>;
}

/**
 * The spellings of `email` to search. The ListUsers `email` filter is treated as an exact
 * match (the API reference does not mark it case-insensitive), while Cognito keeps the case a
 * user typed: the normalised form finds a native user who signed up in lower case, the IdP's
 * spelling one who typed it as the IdP sends it. One query when they are the same.
 */
export function emailQueries(email: string): string[] {
  return [...new Set([normaliseEmail(email), email.trim()])];
}

/** The AdminLinkProviderForUser request: the federated identity becomes a login of the native user. */
export function linkInput(userPoolId: string, destination: string, identity: FederatedIdentity) {
  return {
    UserPoolId: userPoolId,
    DestinationUser: { ProviderName: "Cognito", ProviderAttributeValue: destination },
    SourceUser: {
      ProviderName: identity.providerName,
      ProviderAttributeName: "Cognito_Subject",
      ProviderAttributeValue: identity.subject,
    },
  };
}

/**
 * A directory built on its first call by `load` (which may import the AWS SDK then), shared by
 * every later call. A failed load is not kept: the next call tries again. The load runs inside
 * the first call, so its time counts against that invocation's deadline like the call's own.
 */
export function lazyDirectory(load: () => Promise<UserDirectory>): UserDirectory {
  let loading: Promise<UserDirectory> | undefined;
  const directory = (): Promise<UserDirectory> => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return {
    findUsersByEmail: async (userPoolId, email, deadline) =>
      (await directory()).findUsersByEmail(userPoolId, email, deadline),
    createNativeUser: async (userPoolId, email, deadline) =>
      (await directory()).createNativeUser(userPoolId, email, deadline),
    linkProvider: async (userPoolId, destination, identity, deadline) =>
      (await directory()).linkProvider(userPoolId, destination, identity, deadline),
  };
}
