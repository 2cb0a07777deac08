/**
 * A stateful stand-in for the three Cognito calls of the linking step, behind
 * aws-sdk-client-mock, behaving as Cognito does (as far as its API reference says):
 *
 * - ListUsers: `email = "..."` and `username = "..."` filters are exact matches, paginated:
 *   a page may hold fewer users than `Limit` (even none) and still carry a `PaginationToken`
 *   ("might return fewer items than you specify in the Limit parameter without having reached
 *   the end of the full list"), emulated with `pageSize`;
 * - AdminCreateUser: UsernameExistsException when the username exists;
 * - AdminLinkProviderForUser: an identity (provider + subject, exact) links to one user
 *   only; linking it again fails with the real InvalidParameterException message.
 */
import {
  AdminCreateUserCommand,
  AdminLinkProviderForUserCommand,
  type CognitoIdentityProviderClient,
  InvalidParameterException,
  ListUsersCommand,
  UserNotFoundException,
  UsernameExistsException,
  type UserStatusType,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import type { AwsClientStub } from "aws-sdk-client-mock";

/** The message Cognito answers when the source identity is already linked. */
export const MERGING_NOT_SUPPORTED =
  "Merging is not currently supported, provide a SourceUser and DestinationUser who are not already linked";

/** The message Cognito answers when a native user is passed as the source. */
export const INVALID_SOURCE_USER =
  "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser";

/** One user of the fake pool. */
export interface FakeUser {
  username: string;
  email: string;
  emailVerified: boolean;
  status: string;
  /** Defaults to true. */
  enabled?: boolean;
  identities: { providerName: string; userId: string }[];
}

const meta = { $metadata: {} };

/** Parse `name = "value"` (with `\"` and `\\` escapes) as ListUsers does. */
export function parseFilter(filter: string): { name: string; value: string } {
  const match = /^(\w+) = "((?:[^"\\]|\\.)*)"$/.exec(filter);
  if (!match?.[1] || match[2] === undefined) throw new Error(`unsupported filter ${filter}`);
  return { name: match[1], value: match[2].replace(/\\(.)/g, "$1") };
}

function toUserType(user: FakeUser): UserType {
  return {
    Username: user.username,
    UserStatus: user.status as UserStatusType,
    Enabled: user.enabled ?? true,
    Attributes: [
      { Name: "email", Value: user.email },
      { Name: "email_verified", Value: String(user.emailVerified) },
      ...(user.identities.length > 0
        ? [
            {
              Name: "identities",
              Value: JSON.stringify(
                user.identities.map((i) => ({ ...i, providerType: i.providerName })),
              ),
            },
          ]
        : []),
    ],
  };
}

/** Install the fake on `cognito`; returns the pool's users (mutated by the calls). */
export function installFakeCognito(
  cognito: AwsClientStub<CognitoIdentityProviderClient>,
  users: FakeUser[],
  options: { before?: () => Promise<void>; pageSize?: number } = {},
): FakeUser[] {
  const before = options.before ?? (async () => undefined);
  cognito
    .on(ListUsersCommand)
    .callsFake(async (input: { Filter: string; Limit?: number; PaginationToken?: string }) => {
      await before();
      const { name, value } = parseFilter(input.Filter);
      const field = name === "username" ? "username" : name === "email" ? "email" : undefined;
      if (field === undefined) throw new Error(`unsupported attribute ${name}`);
      if ((input.Limit ?? 60) > 60) throw new Error("Limit above 60");
      // Pages are slices of the pool (not of the matches), so a page may hold no match at all.
      const size = options.pageSize ?? input.Limit ?? 60;
      const start = Number(input.PaginationToken ?? "0");
      const page = users.slice(start, start + size);
      const next = start + size < users.length ? String(start + size) : undefined;
      return {
        Users: page.filter((u) => u[field] === value).map(toUserType),
        ...(next === undefined ? {} : { PaginationToken: next }),
      };
    });
  cognito
    .on(AdminCreateUserCommand)
    .callsFake(
      async (input: { Username: string; UserAttributes: { Name: string; Value: string }[] }) => {
        await before();
        if (users.some((u) => u.username.toLowerCase() === input.Username.toLowerCase())) {
          throw new UsernameExistsException({ message: "User account already exists", ...meta });
        }
        const email = input.UserAttributes.find((a) => a.Name === "email")?.Value ?? "";
        users.push({
          username: input.Username,
          email,
          emailVerified: true,
          status: "FORCE_CHANGE_PASSWORD",
          identities: [],
        });
        return { User: { Username: input.Username } };
      },
    );
  cognito
    .on(AdminLinkProviderForUserCommand)
    .callsFake(
      async (input: {
        DestinationUser: { ProviderAttributeValue: string };
        SourceUser: { ProviderName: string; ProviderAttributeValue: string };
      }) => {
        await before();
        const { ProviderName: providerName, ProviderAttributeValue: userId } = input.SourceUser;
        if (providerName === "Cognito") {
          throw new InvalidParameterException({ message: INVALID_SOURCE_USER, ...meta });
        }
        const linked = users.some((u) =>
          u.identities.some((i) => i.providerName === providerName && i.userId === userId),
        );
        if (linked)
          throw new InvalidParameterException({ message: MERGING_NOT_SUPPORTED, ...meta });
        const destination = users.find(
          (u) => u.username === input.DestinationUser.ProviderAttributeValue,
        );
        if (!destination) throw new UserNotFoundException({ message: "User not found", ...meta });
        destination.identities.push({ providerName, userId });
        return {};
      },
    );
  return users;
}

/** A verified native user of the fake pool. */
export function fakeNative(over: Partial<FakeUser> = {}): FakeUser {
  return {
    username: "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f",
    email: "jane.doe@example.com",
    emailVerified: true,
    status: "CONFIRMED",
    identities: [],
    ...over,
  };
}
