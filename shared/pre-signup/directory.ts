/**
 * The user directory the linking step talks to: the three Cognito admin calls
 * it makes (ListUsers, AdminCreateUser, AdminLinkProviderForUser), behind an
 * interface so local mode can use a stand-in and tests can use either.
 *
 * Every call is bounded by the invocation's {@link Deadline} (its abort signal and
 * a per-attempt timeout capped at the time left); none starts after it.
 *
 * Cognito exceptions that mean "already done" become return values (so the
 * linking is idempotent); every other failure becomes a DependencyError.
 */
import { readFileSync } from "node:fs";
import {
  AdminCreateUserCommand,
  AdminLinkProviderForUserCommand,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type ListUsersCommandOutput,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { awsErrorName, type Deadline } from "../aws/clients";
import { ConfigError, DependencyError } from "../errors";
import { attributeIsTrue, normaliseEmail } from "../events";
import type { Logger } from "../logger";
import { type DirectoryUser, LINK_CREATE_METADATA } from "./decide";
import { emailFilter, type FederatedIdentity, hasIdentity, usernameFilter } from "./provider";

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

/** The AdminLinkProviderForUser request: the federated identity becomes a login of the native user. */
function linkInput(userPoolId: string, destination: string, identity: FederatedIdentity) {
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

// The exceptions AdminLinkProviderForUser answers when the identity may already be linked
// ("Merging is not currently supported, provide a SourceUser and DestinationUser who are not
// already linked"), among other causes ("Invalid SourceUser: ..."). Their messages are not an
// API: the destination user's `identities` decide (see linkProvider).
const MAYBE_LINKED = new Set(["InvalidParameterException", "AliasExistsException"]);

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
      const options = deadline.callOptions("ListUsers");
      let out: ListUsersCommandOutput;
      try {
        out = await this.client.send(
          new ListUsersCommand({
            UserPoolId: userPoolId,
            Filter: filter,
            Limit: LIST_USERS_PAGE_SIZE,
            ...(token === undefined ? {} : { PaginationToken: token }),
          }),
          options,
        );
      } catch (error) {
        throw deadline.failure("ListUsers", error);
      }
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
    const options = deadline.callOptions("AdminCreateUser");
    try {
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
    } catch (error) {
      const name = awsErrorName(error);
      // A concurrent first sign-in created it a moment ago: the caller looks it up again.
      if (name === "UsernameExistsException" || name === "AliasExistsException") return undefined;
      throw deadline.failure("AdminCreateUser", error);
    }
  }

  async linkProvider(
    userPoolId: string,
    destination: string,
    identity: FederatedIdentity,
    deadline: Deadline,
  ): Promise<LinkResult> {
    const options = deadline.callOptions("AdminLinkProviderForUser");
    try {
      await this.client.send(
        new AdminLinkProviderForUserCommand(linkInput(userPoolId, destination, identity)),
        options,
      );
      return "linked";
    } catch (error) {
      const name = awsErrorName(error);
      if (name === undefined || !MAYBE_LINKED.has(name)) {
        throw deadline.failure("AdminLinkProviderForUser", error);
      }
      // Already linked (by a concurrent first sign-in, or an earlier attempt)? Ask Cognito
      // whether the destination lists this identity rather than reading the message.
      const [user] = (
        await this.listUsers(userPoolId, usernameFilter(destination), deadline)
      ).filter((u) => u.username === destination);
      if (user !== undefined && hasIdentity(user.identities, identity)) return "already-linked";
      throw new DependencyError(
        `AdminLinkProviderForUser failed (${name}) and the destination does not list the identity`,
        { cause: error },
      );
    }
  }
}

/** One native user of the local stand-in (the JSON file holds an array of them). */
export interface LocalUser {
  readonly username: string;
  readonly email: string;
  readonly emailVerified?: boolean;
  readonly status?: string;
  readonly enabled?: boolean;
  readonly identities?: readonly { providerName: string; userId: string }[];
}

interface StoredUser {
  username: string;
  email: string;
  status: string;
  enabled: boolean;
  emailVerified: boolean;
  identities: { providerName: string; userId: string }[];
}

/** The call the local stand-in would have made to Cognito. */
export interface LocalCall {
  readonly operation: "ListUsers" | "AdminCreateUser" | "AdminLinkProviderForUser";
  readonly input: Readonly<Record<string, unknown>>;
}

/** Check the parsed local users file: an array of users with string `username` and `email`. */
export function validateLocalUsers(value: unknown): LocalUser[] {
  if (!Array.isArray(value)) throw new Error("must be a JSON array of users");
  return value.map((item: unknown, index) => {
    const user = (item ?? {}) as Record<string, unknown>;
    if (typeof user.username !== "string" || typeof user.email !== "string") {
      throw new Error(`user ${index + 1} needs string "username" and "email"`);
    }
    return user as unknown as LocalUser;
  });
}

/**
 * Local-mode stand-in for Cognito: an in-memory directory seeded from a JSON
 * file (PRE_SIGNUP_LOCAL_USERS_FILE) or empty. It applies each call to its
 * memory (so a second call sees the first) and logs the Cognito call it
 * stands for; nothing is written back to the file.
 */
export class LocalUserDirectory implements UserDirectory {
  /** Every call made, in order (tests and `npm run invoke` output read it). */
  readonly calls: LocalCall[] = [];
  private readonly users: StoredUser[];

  constructor(
    users: readonly LocalUser[],
    private readonly logger?: Logger,
  ) {
    this.users = users.map((u) => ({
      username: u.username,
      email: u.email,
      status: u.status ?? "CONFIRMED",
      enabled: u.enabled ?? true,
      emailVerified: u.emailVerified ?? false,
      identities: [...(u.identities ?? [])],
    }));
  }

  /** Seed from a JSON file; a missing or malformed file is a ConfigError naming the variable. */
  static fromFile(path: string | undefined, logger?: Logger): LocalUserDirectory {
    if (path === undefined) return new LocalUserDirectory([], logger);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      throw new ConfigError("PRE_SIGNUP_LOCAL_USERS_FILE", `cannot read JSON from ${path}`);
    }
    try {
      return new LocalUserDirectory(validateLocalUsers(parsed), logger);
    } catch (error) {
      throw new ConfigError(
        "PRE_SIGNUP_LOCAL_USERS_FILE",
        `is invalid: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private record(operation: LocalCall["operation"], input: Record<string, unknown>): void {
    this.calls.push({ operation, input });
    this.logger?.info(`Local mode: Cognito ${operation} handled by the local directory`, {
      localCall: { operation, input },
    });
  }

  private copy(user: StoredUser): DirectoryUser {
    return { ...user, identities: [...user.identities] };
  }

  // Each method behaves as CognitoUserDirectory does against Cognito: the same calls (bounded
  // by the deadline), exact `email` filters, and the same "already linked" rule.

  async findUsersByEmail(
    userPoolId: string,
    email: string,
    deadline: Deadline,
  ): Promise<DirectoryUser[]> {
    const found = new Map<string, DirectoryUser>();
    for (const query of emailQueries(email)) {
      deadline.callOptions("ListUsers");
      this.record("ListUsers", { UserPoolId: userPoolId, Filter: emailFilter(query) });
      for (const user of this.users) {
        if (user.email === query) found.set(user.username, this.copy(user));
      }
    }
    return [...found.values()];
  }

  async createNativeUser(
    userPoolId: string,
    email: string,
    deadline: Deadline,
  ): Promise<string | undefined> {
    const address = normaliseEmail(email);
    deadline.callOptions("AdminCreateUser");
    this.record("AdminCreateUser", {
      UserPoolId: userPoolId,
      Username: address,
      MessageAction: "SUPPRESS",
    });
    if (this.users.some((u) => u.username.toLowerCase() === address)) return undefined;
    this.users.push({
      username: address,
      email: address,
      status: "FORCE_CHANGE_PASSWORD",
      enabled: true,
      emailVerified: true,
      identities: [],
    });
    return address;
  }

  async linkProvider(
    userPoolId: string,
    destination: string,
    identity: FederatedIdentity,
    deadline: Deadline,
  ): Promise<LinkResult> {
    deadline.callOptions("AdminLinkProviderForUser");
    this.record("AdminLinkProviderForUser", linkInput(userPoolId, destination, identity));
    const user = this.users.find((u) => u.username === destination);
    if (!user) throw new DependencyError("AdminLinkProviderForUser failed (UserNotFoundException)");
    if (this.users.some((u) => hasIdentity(u.identities, identity))) {
      // Cognito refuses to link an identity twice (InvalidParameterException); the adapter
      // then reads the destination's identities.
      deadline.callOptions("ListUsers");
      this.record("ListUsers", { UserPoolId: userPoolId, Filter: usernameFilter(destination) });
      if (hasIdentity(user.identities, identity)) return "already-linked";
      throw new DependencyError(
        "AdminLinkProviderForUser failed (InvalidParameterException) and the destination does not list the identity",
      );
    }
    user.identities.push({ providerName: identity.providerName, userId: identity.subject });
    return "linked";
  }
}
