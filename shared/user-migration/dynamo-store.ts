/**
 * Legacy users in a DynamoDB table: one item per user, keyed by user name, with the password
 * hash in one attribute. Hashes are checked here, with the dummy hash for unknown users.
 */
import { readFileSync } from "node:fs";
import {
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
} from "@aws-sdk/client-dynamodb";
import { callFailure, type Deadline } from "../aws/clients";
import { stringKeyTable } from "../aws/tables";
import { DependencyError } from "../errors";
import { legacyFlagIsTrue } from "./mapping";
import {
  type HashChecker,
  LegacyStoreUnavailableError,
  type LegacyUser,
  type LegacyUserStore,
} from "./store";

/** The table and its fields. */
export interface LegacyTableShape {
  readonly tableName: string;
  readonly keyAttribute: string;
  readonly hashField: string;
  readonly emailVerifiedField: string;
}

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

/** Where a legacy record is read from: the table's item, or the local file's entry. */
export type RecordReader = (
  userName: string,
  deadline: Deadline,
) => Promise<Record<string, unknown> | undefined>;

/**
 * A {@link LegacyUserStore} over records holding a password hash (the table, the local file):
 * one read per call, and one hash check per `authenticate` whether or not the user exists.
 */
export function recordLegacyStore(
  read: RecordReader,
  shape: Pick<LegacyTableShape, "hashField" | "emailVerifiedField">,
  hashes: HashChecker,
): LegacyUserStore {
  function toUser(fields: Record<string, unknown>): LegacyUser {
    const { [shape.hashField]: _hash, ...rest } = fields;
    return { fields: rest, emailVerified: legacyFlagIsTrue(fields[shape.emailVerifiedField]) };
  }

  return {
    async authenticate(userName, password, deadline) {
      const fields = await read(userName, deadline);
      const stored = fields === undefined ? undefined : hashes.parse(fields[shape.hashField]);
      // Unknown user, or no usable hash: check the dummy so every refusal costs one hash check.
      const matches = await hashes.verify(password, stored ?? hashes.dummy);
      if (fields === undefined || stored === undefined || !matches) return { kind: "refused" };
      return { kind: "authenticated", user: toUser(fields) };
    },
    async find(userName, deadline) {
      const fields = await read(userName, deadline);
      return fields === undefined ? undefined : toUser(fields);
    },
  };
}

/** The legacy table as a {@link LegacyUserStore}: one GetItem per call. */
export function dynamoLegacyStore(
  client: Pick<DynamoDBClient, "send">,
  shape: LegacyTableShape,
  hashes: HashChecker,
): LegacyUserStore {
  return recordLegacyStore(
    async (userName, deadline) => {
      const operation = `GetItem(${shape.tableName})`;
      try {
        const out = await client.send(
          new GetItemCommand({
            TableName: shape.tableName,
            Key: { [shape.keyAttribute]: { S: userName } },
          }),
          deadline.callOptions(operation),
        );
        return out.Item === undefined ? undefined : plain(out.Item);
      } catch (error) {
        if (error instanceof DependencyError) throw error;
        const failure = callFailure(operation, error, deadline);
        throw new LegacyStoreUnavailableError(failure.message, { cause: error });
      }
    },
    shape,
    hashes,
  );
}

/**
 * Local stand-in (local mode, no DynamoDB endpoint): legacy users in a JSON file,
 * `{ "<user name>": { <fields>, "<hash field>": "..." } }`, read on every call. Never used in
 * AWS: local mode is refused in a deployed function.
 */
export function localFileLegacyStore(
  file: string,
  shape: Pick<LegacyTableShape, "hashField" | "emailVerifiedField">,
  hashes: HashChecker,
): LegacyUserStore {
  return recordLegacyStore(
    async (userName) => {
      let users: unknown;
      try {
        users = JSON.parse(readFileSync(file, "utf8"));
      } catch (error) {
        throw new LegacyStoreUnavailableError(
          `local legacy users file unreadable (${(error as NodeJS.ErrnoException).code ?? "invalid JSON"})`,
        );
      }
      const entry =
        typeof users === "object" && users !== null && Object.hasOwn(users, userName)
          ? (users as Record<string, unknown>)[userName]
          : undefined;
      return typeof entry === "object" && entry !== null && !Array.isArray(entry)
        ? Object.assign(Object.create(null), entry)
        : undefined;
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
