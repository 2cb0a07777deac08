/**
 * Local-mode stand-in for Cognito's user directory (`npm run invoke`, the offline stack without
 * cognito-local): an in-memory directory seeded from a JSON file. Loads no AWS SDK code.
 */
import { readFileSync } from "node:fs";
import type { Deadline } from "../aws/clients";
import { ConfigError, DependencyError } from "../errors";
import { normaliseEmail } from "../events";
import type { Logger } from "../logger";
import type { DirectoryUser } from "./decide";
import { emailQueries, type LinkResult, linkInput, type UserDirectory } from "./directory";
import { emailFilter, type FederatedIdentity, hasIdentity, usernameFilter } from "./provider";

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
