/**
 * Group membership adapters: Cognito's AdminAddUserToGroup, or the local stand-in.
 *
 * AdminAddUserToGroup is idempotent in Cognito: adding a user who is already a
 * member succeeds and changes nothing, so a retried invocation simply repeats it.
 */
import {
  AdminAddUserToGroupCommand,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { callFailure, type Deadline } from "../aws/clients";
import type { Logger } from "../logger";

/** Adds a user to a group of a user pool. Resolves when the user is a member. */
export interface GroupMembership {
  /** `deadline`: the invocation's deadline, which bounds the call (none: the client's own bounds only). */
  addUserToGroup(
    userPoolId: string,
    username: string,
    group: string,
    deadline?: Deadline,
  ): Promise<void>;
}

/** Group membership through Cognito (`cognito-idp:AdminAddUserToGroup`). */
export function cognitoGroupMembership(client: CognitoIdentityProviderClient): GroupMembership {
  return {
    async addUserToGroup(userPoolId, username, group, deadline) {
      const operation = `AdminAddUserToGroup(${group})`;
      const options = deadline?.callOptions(operation);
      try {
        await client.send(
          new AdminAddUserToGroupCommand({
            UserPoolId: userPoolId,
            Username: username,
            GroupName: group,
          }),
          options,
        );
      } catch (error) {
        throw callFailure(operation, error, deadline);
      }
    },
  };
}

/**
 * Local stand-in (local mode, no Cognito endpoint): logs the call it would make.
 * Like the real call it is idempotent (it changes nothing).
 */
export function localGroupMembership(logger: Logger): GroupMembership {
  return {
    async addUserToGroup(userPoolId, username, group) {
      logger.info("LOCAL stand-in: AdminAddUserToGroup not sent", {
        userPoolId,
        username,
        group,
      });
    },
  };
}
