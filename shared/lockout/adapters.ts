/**
 * Choose the lockout's {@link AttemptStore} from its config, once per container, as the other
 * triggers choose their adapters:
 *
 * | mode | store |
 * | --- | --- |
 * | AWS (`localMode` false) | DynamoDB (dynamodb-attempt-store.ts) |
 * | local, `AWS_ENDPOINT_URL_DYNAMODB` set | that engine (dynalite) |
 * | local, no endpoint | JSON file `LOCAL_AUTH_ATTEMPTS_FILE` (local-attempt-store.ts) |
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localEngineOptions, sdkClientConfig } from "../aws/clients";
import type { CommonConfig } from "../config/common";
import type { AttemptStore } from "./attempt-store";
import type { LockoutConfig } from "./config";
import { dynamoAttemptStore } from "./dynamodb-attempt-store";
import { localFileAttemptStore } from "./local-attempt-store";

/**
 * The store for a lockout config, built once per container: DynamoDB in AWS (client from
 * `sdkClientConfig`: bounded timeouts and attempts), DynamoDB at `dynamoEndpoint` in local
 * mode when it is set (dynalite in the local stack), else the local JSON file.
 */
export function createAttemptStore(
  lockout: LockoutConfig,
  common: CommonConfig,
  makeDynamo: (options: Record<string, unknown>) => Pick<DynamoDBClient, "send"> = (options) =>
    new DynamoDBClient(options),
): { readonly store: AttemptStore; readonly label: string } {
  const sdk = sdkClientConfig(common);
  if (!common.localMode) {
    return {
      store: dynamoAttemptStore(makeDynamo({ ...sdk }), lockout.tableName),
      label: `dynamodb:${lockout.tableName}`,
    };
  }
  if (lockout.dynamoEndpoint !== undefined) {
    return {
      store: dynamoAttemptStore(
        makeDynamo({ ...sdk, ...localEngineOptions(lockout.dynamoEndpoint, lockout.awsRegion) }),
        lockout.tableName,
      ),
      label: `dynamodb:${lockout.tableName}@${lockout.dynamoEndpoint}`,
    };
  }
  return { store: localFileAttemptStore(lockout.localFile), label: `file:${lockout.localFile}` };
}
