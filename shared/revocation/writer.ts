/**
 * The one way revocations are written, shared by the revocation writer function and
 * `npm run revoke`: resolve the user to its `sub` (a username through AdminGetUser) and record
 * `sub -> revokedAt` with a TTL of the longest token lifetime (docs/authorizer.md#revocation).
 */
import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import type { RevocationSink } from "./store";

/**
 * Default TTL of a revocation, in seconds: one day, the longest lifetime Cognito gives an ID or
 * access token. A revocation kept shorter than the pool's token lifetime would let a revoked
 * token pass again before its `exp`.
 */
export const DEFAULT_REVOCATION_TTL_SECONDS = 86_400;

/** Who to revoke: a `sub`, or a username of a pool (resolved with AdminGetUser). */
export type RevocationTarget =
  | { readonly kind: "sub"; readonly sub: string }
  | { readonly kind: "username"; readonly userPoolId: string; readonly username: string };

/** Finds a user's `sub`. */
export interface UserDirectory {
  /** The `sub` of `username` in `userPoolId`, or undefined when the pool has no such user. */
  subOf(userPoolId: string, username: string): Promise<string | undefined>;
}

/** What {@link revokeUser} did. */
export type RevokeOutcome =
  | {
      readonly kind: "written";
      readonly sub: string;
      readonly revokedAt: number;
      /** `username-as-sub`: the user was gone and its username has the shape of a `sub`. */
      readonly via: "sub" | "username" | "username-as-sub";
    }
  | { readonly kind: "unresolved"; readonly reason: string };

// Cognito's `sub` is a UUID; pools whose sign-in is by email or phone (`UsernameAttributes`)
// give each user that UUID as its username too.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` has the shape of a Cognito `sub` (a UUID). */
export function looksLikeSub(value: string): boolean {
  return UUID.test(value);
}

/** AdminGetUser as a {@link UserDirectory}: `UserNotFoundException` is "no such user". */
export function cognitoUserDirectory(client: CognitoIdentityProviderClient): UserDirectory {
  return {
    async subOf(userPoolId, username) {
      try {
        const user = await client.send(
          new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }),
        );
        const sub = user.UserAttributes?.find((a) => a.Name === "sub")?.Value;
        // Every Cognito user has a sub: a user without one is not one we can revoke.
        return sub === undefined || sub === "" ? undefined : sub;
      } catch (error) {
        if ((error as { name?: unknown })?.name === "UserNotFoundException") return undefined;
        throw error;
      }
    },
  };
}

/** What {@link revokeUser} writes with. */
export interface RevokeDeps {
  readonly sink: RevocationSink;
  /** Needed for username targets. */
  readonly directory?: UserDirectory;
  /** How long the record is kept: at least the pool's longest token lifetime. */
  readonly ttlSeconds: number;
}

/**
 * Revoke every token of the user issued at or before `revokedAt` (epoch seconds). A username
 * is resolved to its `sub`; when the pool no longer has the user (AdminDeleteUser has already
 * run) a username shaped like a `sub` is taken as the `sub` (pools where they are the same),
 * anything else is `unresolved`. SDK failures other than "no such user" are thrown.
 */
export async function revokeUser(
  target: RevocationTarget,
  revokedAt: number,
  deps: RevokeDeps,
): Promise<RevokeOutcome> {
  let sub: string;
  let via: "sub" | "username" | "username-as-sub";
  if (target.kind === "sub") {
    sub = target.sub;
    via = "sub";
  } else {
    if (deps.directory === undefined) {
      return { kind: "unresolved", reason: "a username needs a Cognito client to resolve it" };
    }
    const found = await deps.directory.subOf(target.userPoolId, target.username);
    if (found !== undefined) {
      sub = found;
      via = "username";
    } else if (looksLikeSub(target.username)) {
      sub = target.username;
      via = "username-as-sub";
    } else {
      return {
        kind: "unresolved",
        reason: "the pool has no such user (deleted?) and the username is not a sub",
      };
    }
  }
  await deps.sink.write(sub, revokedAt, deps.ttlSeconds);
  return { kind: "written", sub, revokedAt, via };
}
