/**
 * Group membership: the interface, and Cognito's AdminAddUserToGroup behind it (the local
 * stand-in is in local.ts).
 *
 * AdminAddUserToGroup is idempotent in Cognito: adding a user who is already a
 * member succeeds and changes nothing, so a retried invocation simply repeats it.
 */
import {
  AdminAddUserToGroupCommand,
  type CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { awsCall, type Deadline } from "../aws/clients";

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
      await awsCall(`AdminAddUserToGroup(${group})`, deadline, async (options) => {
        await client.send(
          new AdminAddUserToGroupCommand({
            UserPoolId: userPoolId,
            Username: username,
            GroupName: group,
          }),
          options,
        );
      });
    },
  };
}
