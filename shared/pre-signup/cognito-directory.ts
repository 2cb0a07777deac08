/**
 * The real user directory: Cognito through an SDK v3 client. Every call is bounded by the
 * invocation's {@link Deadline} (its abort signal and a per-attempt timeout capped at the time
 * left); none starts after it. Cognito exceptions that mean "already done" become return values
 * (so the linking is idempotent); every other failure becomes a DependencyError.
 */
import {
  AdminCreateUserCommand,
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { awsCall, awsErrorName, type Deadline, type SdkClientConfig } from "../aws/clients";
import { DependencyError } from "../errors";
import { attributeIsTrue, normaliseEmail } from "../events";
import { type DirectoryUser, LINK_CREATE_METADATA } from "./decide";
import { emailQueries, type LinkResult, linkInput, type UserDirectory } from "./directory";
import { emailFilter, type FederatedIdentity, hasIdentity, usernameFilter } from "./provider";

function parseIdentities(value: string | undefined): DirectoryUser["identities"] {
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((item: unknown) => {
      const { providerName, userId } = (item ?? {}) as Record<string, unknown>;
      return typeof providerName === "string" && typeof userId === "string"
        ? [{ providerName, userId }]
        : [];
    });
  } catch {
    return [];
  }
}

/** Reduce a ListUsers `UserType` to a {@link DirectoryUser}. */
export function toDirectoryUser(user: UserType): DirectoryUser | undefined {
  if (!user.Username) return undefined;
  const attribute = (name: string) => user.Attributes?.find((a) => a.Name === name)?.Value;
  return {
    username: user.Username,
    status: user.UserStatus,
    enabled: user.Enabled !== false,
    emailVerified: attributeIsTrue(attribute("email_verified")),
    identities: parseIdentities(attribute("identities")),
  };
}

// The exceptions AdminLinkProviderForUser answers when the identity may already be linked
// ("Merging is not currently supported, provide a SourceUser and DestinationUser who are not
// already linked"), among other causes ("Invalid SourceUser: ..."). Their messages are not an
// API: the destination user's `identities` decide (see linkProvider).
const MAYBE_LINKED = new Set(["InvalidParameterException", "AliasExistsException"]);

// `<operation> failed (<error label>)`, or a DeadlineExceededError once the deadline has passed.
const viaDeadline = (operation: string, error: unknown, deadline: Deadline | undefined) =>
  (deadline as Deadline).failure(operation, error);

/** ListUsers' largest `Limit`. */
export const LIST_USERS_PAGE_SIZE = 60;

/**
 * The most ListUsers pages one search reads (600 users with one email, or the same number of
 * empty pages): beyond it the search fails rather than answer from part of the list.
 */
export const LIST_USERS_MAX_PAGES = 10;

/** The real directory: Cognito through an SDK v3 client created once per container. */
export class CognitoUserDirectory implements UserDirectory {
  constructor(private readonly client: CognitoIdentityProviderClient) {}

  /**
   * Every user the filter matches, following `PaginationToken`: a page may hold fewer users
   * than `Limit`, even none, before the end of the list. Reading only the first page would
   * miss the native user (a duplicate, or an unlinked sign-in) and hide a second one from the
   * "several native users" rule. Each page is a call bounded by the deadline; a list that does
   * not end within {@link LIST_USERS_MAX_PAGES} fails (never a partial answer).
   */
  private async listUsers(
    userPoolId: string,
    filter: string,
    deadline: Deadline,
  ): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    let token: string | undefined;
    for (let page = 0; page < LIST_USERS_MAX_PAGES; page += 1) {
      const out = await awsCall(
        "ListUsers",
        deadline,
        (options) =>
          this.client.send(
            new ListUsersCommand({
              UserPoolId: userPoolId,
              Filter: filter,
              Limit: LIST_USERS_PAGE_SIZE,
              ...(token === undefined ? {} : { PaginationToken: token }),
            }),
            options,
          ),
        { fail: viaDeadline },
      );
      for (const user of out.Users ?? []) {
        const found = toDirectoryUser(user);
        if (found !== undefined) users.push(found);
      }
      token = out.PaginationToken || undefined;
      if (token === undefined) return users;
    }
    throw new DependencyError(`ListUsers returned more than ${LIST_USERS_MAX_PAGES} pages`);
  }

  async findUsersByEmail(
    userPoolId: string,
    email: string,
    deadline: Deadline,
  ): Promise<DirectoryUser[]> {
    // Two spellings (see emailQueries) are searched at once: they cost one round trip of the
    // invocation's budget, not two.
    const results = await Promise.all(
      emailQueries(email).map((query) => this.listUsers(userPoolId, emailFilter(query), deadline)),
    );
    const found = new Map<string, DirectoryUser>();
    for (const user of results.flat()) found.set(user.username, user);
    return [...found.values()];
  }

  async createNativeUser(
    userPoolId: string,
    email: string,
    deadline: Deadline,
  ): Promise<string | undefined> {
    const address = normaliseEmail(email);
    return awsCall<string | undefined>(
      "AdminCreateUser",
      deadline,
      async (options) => {
        const out = await this.client.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: address,
            UserAttributes: [
              { Name: "email", Value: address },
              { Name: "email_verified", Value: "true" },
            ],
            MessageAction: "SUPPRESS",
            ClientMetadata: { ...LINK_CREATE_METADATA },
          }),
          options,
        );
        return out.User?.Username ?? address;
      },
      {
        // A concurrent first sign-in created it a moment ago: the caller looks it up again.
        expected: { UsernameExistsException: undefined, AliasExistsException: undefined },
        fail: viaDeadline,
      },
    );
  }

  async linkProvider(
    userPoolId: string,
    destination: string,
    identity: FederatedIdentity,
    deadline: Deadline,
  ): Promise<LinkResult> {
    const answer = await awsCall(
      "AdminLinkProviderForUser",
      deadline,
      async (options) => {
        try {
          await this.client.send(
            new AdminLinkProviderForUserCommand(linkInput(userPoolId, destination, identity)),
            options,
          );
          return { linked: true } as const;
        } catch (error) {
          const name = awsErrorName(error);
          // Kept with its cause for the check below; anything else is a failure.
          if (name !== undefined && MAYBE_LINKED.has(name)) return { linked: false, name, error };
          throw error;
        }
      },
      { fail: viaDeadline },
    );
    if (answer.linked) return "linked";
    // Already linked (by a concurrent first sign-in, or an earlier attempt)? Ask Cognito
    // whether the destination lists this identity rather than reading the message.
    const [user] = (await this.listUsers(userPoolId, usernameFilter(destination), deadline)).filter(
      (u) => u.username === destination,
    );
    if (user !== undefined && hasIdentity(user.identities, identity)) return "already-linked";
    throw new DependencyError(
      `AdminLinkProviderForUser failed (${answer.name}) and the destination does not list the identity`,
      { cause: answer.error },
    );
  }
}

/**
 * The Cognito directory with a client of its own, built from `clientConfig`. Importing this
 * module loads the SDK's Cognito client: the function imports it on the first call that needs it.
 */
export function createCognitoUserDirectory(clientConfig: SdkClientConfig): CognitoUserDirectory {
  return new CognitoUserDirectory(new CognitoIdentityProviderClient(clientConfig));
}
