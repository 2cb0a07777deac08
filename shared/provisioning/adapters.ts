/**
 * Choose the trigger's adapters from its config, once per container:
 *
 * | mode | DynamoDB | Cognito groups |
 * | --- | --- | --- |
 * | AWS (`localMode` false) | DynamoDB | AdminAddUserToGroup |
 * | local, endpoint set (`AWS_ENDPOINT_URL_DYNAMODB` / `..._COGNITO_IDENTITY_PROVIDER`) | that engine (dynalite, cognito-local) | that engine |
 * | local, no endpoint | JSON-lines file (`LOCAL_PROFILE_FILE`) | a log line |
 */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localEngineOptions, sdkClientConfig } from "../aws/clients";
import type { Logger } from "../logger";
import type { ProvisioningConfig } from "./config";
import { cognitoGroupMembership, type GroupMembership } from "./groups";
import { jsonLinesProfileStore, localGroupMembership } from "./local";
import { dynamoProfileStore, type ProfileLookup, type ProfileStore } from "./profiles";

/** The adapters the handler uses, plus a label of each for the cold-start log. */
export interface SelectedAdapters {
  readonly groups: GroupMembership;
  /** Writes profiles; `exists` is used by the post-authentication backstop only. */
  readonly profiles: ProfileStore & ProfileLookup;
  readonly describe: { readonly groups: string; readonly profiles: string };
}

/** Build the adapters for `config` (clients created here, once). */
export function createProvisioningAdapters(
  config: ProvisioningConfig,
  logger: Logger,
): SelectedAdapters {
  const sdk = sdkClientConfig(config);
  let profiles: ProfileStore & ProfileLookup;
  let profilesLabel: string;
  if (!config.localMode) {
    profiles = dynamoProfileStore(new DynamoDBClient(sdk), config.profileTableName);
    profilesLabel = `dynamodb:${config.profileTableName}`;
  } else if (config.dynamoEndpoint !== undefined) {
    const client = new DynamoDBClient({
      ...sdk,
      ...localEngineOptions(config.dynamoEndpoint, config.awsRegion),
    });
    profiles = dynamoProfileStore(client, config.profileTableName);
    profilesLabel = `dynamodb:${config.profileTableName}@${config.dynamoEndpoint}`;
  } else {
    profiles = jsonLinesProfileStore(config.localProfileFile);
    profilesLabel = `file:${config.localProfileFile}`;
  }

  let groups: GroupMembership;
  let groupsLabel: string;
  if (!config.localMode) {
    groups = cognitoGroupMembership(new CognitoIdentityProviderClient(sdk));
    groupsLabel = "cognito";
  } else if (config.cognitoEndpoint !== undefined) {
    const client = new CognitoIdentityProviderClient({
      ...sdk,
      ...localEngineOptions(config.cognitoEndpoint, config.awsRegion),
    });
    groups = cognitoGroupMembership(client);
    groupsLabel = `cognito@${config.cognitoEndpoint}`;
  } else {
    groups = localGroupMembership(logger);
    groupsLabel = "log";
  }
  return { groups, profiles, describe: { groups: groupsLabel, profiles: profilesLabel } };
}
