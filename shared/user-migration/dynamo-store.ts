/**
 * Legacy users in a DynamoDB table: one item per user, keyed by user name, with the password
 * hash in one attribute. Hashes are checked by record-store.ts, with the dummy hash for
 * unknown users.
 */
import {
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
} from "@aws-sdk/client-dynamodb";
import { awsCall, callFailure, type Deadline } from "../aws/clients";
import { stringKeyTable } from "../aws/tables";
import { DependencyError } from "../errors";
import { type LegacyTableShape, recordLegacyStore } from "./record-store";
import { type HashChecker, LegacyStoreUnavailableError, type LegacyUserStore } from "./store";

// Scalars only: the mapping takes strings, numbers and booleans; lists and maps are ignored.
function plain(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(item)) {
    if (value.S !== undefined) out[name] = value.S;
    else if (value.N !== undefined) out[name] = Number(value.N);
    else if (value.BOOL !== undefined) out[name] = value.BOOL;
  }
  return out;
}

/** A failed GetItem: the deadline's own error as it is, anything else the store is unavailable. */
function storeFailure(operation: string, error: unknown, deadline: Deadline | undefined): Error {
  if (error instanceof DependencyError) return error;
  const failure = callFailure(operation, error, deadline);
  return new LegacyStoreUnavailableError(failure.message, { cause: error });
}

/** The legacy table as a {@link LegacyUserStore}: one GetItem per call. */
export function dynamoLegacyStore(
  client: Pick<DynamoDBClient, "send">,
  shape: LegacyTableShape,
  hashes: HashChecker,
): LegacyUserStore {
  return recordLegacyStore(
    async (userName, deadline) => {
      const out = await awsCall(
        `GetItem(${shape.tableName})`,
        deadline,
        (options) =>
          client.send(
            new GetItemCommand({
              TableName: shape.tableName,
              Key: { [shape.keyAttribute]: { S: userName } },
            }),
            options,
          ),
        { fail: storeFailure },
      );
      return out.Item === undefined ? undefined : plain(out.Item);
    },
    shape,
    hashes,
  );
}

/**
 * The CreateTable input of a legacy users table (string key `keyAttribute`), for the local
 * stack and tests. In AWS the table is the legacy system's own; this stack never creates it.
 */
export function legacyUsersTableDefinition(
  tableName: string,
  keyAttribute = "username",
): CreateTableCommandInput {
  return stringKeyTable(tableName, keyAttribute);
}
