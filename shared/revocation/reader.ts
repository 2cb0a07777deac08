/**
 * The authorizer's revocation store on DynamoDB, built in one call: the module its cold path
 * imports lazily (only with revocation on), kept to what reading needs.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { sdkClientConfig } from "../aws/clients";
import type { CommonConfig } from "../config/common";
import { dynamoRevocationStore, type RevocationStore } from "./store";

/** The store reading `tableName`, its client bounded by the common AWS call settings. */
export function createDynamoRevocationReader(
  tableName: string,
  bounds: Pick<CommonConfig, "awsCallTimeoutMs" | "awsMaxAttempts">,
): RevocationStore {
  return dynamoRevocationStore(tableName, new DynamoDBClient(sdkClientConfig(bounds)));
}
