/**
 * The user migration trigger's dependencies, built once per container from its config: the
 * legacy store (DynamoDB table or HTTPS endpoint) and the cross-sign-in attempts store.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localEngineOptions, sdkClientConfig } from "../aws/clients";
import { createAttemptStore } from "../lockout/adapters";
import type { AttemptStore } from "../lockout/attempt-store";
import type { UserMigrationConfig } from "./config";
import { dynamoLegacyStore } from "./dynamo-store";
import { endpointLegacyStore } from "./endpoint-store";
import { parseLegacyHash, verifyPassword } from "./hashes";
import { localFileLegacyStore } from "./local-store";
import type { LegacyUserStore } from "./store";

/** What the handler runs on, and a description for the cold-start log line. */
export interface UserMigrationAdapters {
  readonly store: LegacyUserStore;
  readonly attempts: AttemptStore | undefined;
  readonly describe: { readonly store: string; readonly attempts: string };
}

/** Build the adapters (the DynamoDB client factory is a seam for tests). */
export function createUserMigrationAdapters(
  config: UserMigrationConfig,
  makeDynamo: (options: Record<string, unknown>) => Pick<DynamoDBClient, "send"> = (options) =>
    new DynamoDBClient(options),
): UserMigrationAdapters {
  const attempts = config.lockout
    ? createAttemptStore(config.lockout, config.common, makeDynamo)
    : undefined;
  let store: LegacyUserStore;
  let label: string;
  if (config.table !== undefined) {
    const { table } = config;
    const shape = { ...table, emailVerifiedField: config.emailVerifiedField };
    const hashes = { parse: parseLegacyHash, verify: verifyPassword, dummy: config.dummyHash };
    if (config.common.localMode && table.dynamoEndpoint === undefined) {
      store = localFileLegacyStore(table.localUsersFile, shape, hashes);
      label = `file:${table.localUsersFile}`;
    } else {
      const local =
        config.common.localMode && table.dynamoEndpoint !== undefined
          ? localEngineOptions(table.dynamoEndpoint, table.awsRegion)
          : {};
      store = dynamoLegacyStore(
        makeDynamo({ ...sdkClientConfig(config.common), ...local }),
        shape,
        hashes,
      );
      label = `dynamodb:${table.tableName}`;
    }
  } else if (config.endpoint !== undefined) {
    store = endpointLegacyStore(config.endpoint, config.emailVerifiedField);
    label = `endpoint:${config.endpoint.url.origin}`;
  } else {
    throw new Error("USER_MIGRATION_SOURCE chose no store");
  }
  return {
    store,
    attempts: attempts?.store,
    describe: { store: label, attempts: attempts?.label ?? "off" },
  };
}
