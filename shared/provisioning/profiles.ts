/**
 * Profile store: the interfaces, and DynamoDB's conditional put behind them (the local
 * JSON-lines stand-in is in local.ts). Both write a profile at most once per `sub`: an existing record is
 * success ("exists") and is never overwritten, so Cognito's retries are harmless
 * and a record another process has updated since keeps its newer data.
 */
import {
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { awsCall, type Deadline } from "../aws/clients";
import { stringKeyTable } from "../aws/tables";
import type { Profile, ProfileSource } from "./plan";

/** What a put did: wrote a new record, or found one already there (left unchanged). */
export type PutOutcome = "created" | "exists";

/** Writes a profile unless one exists for its `sub`. */
export interface ProfileStore {
  /** `deadline`: the invocation's deadline, which bounds the write (none: the client's own bounds only). */
  putIfAbsent(profile: Profile, deadline?: Deadline): Promise<PutOutcome>;
}

/** Tells whether a profile exists for a `sub` (the post-authentication backstop's one read). */
export interface ProfileLookup {
  /** `deadline`: the invocation's deadline, which bounds the read (none: the client's own bounds only). */
  exists(sub: string, deadline?: Deadline): Promise<boolean>;
}

/** The table's key schema: partition key `sub` (string), no sort key. */
export const PROFILE_KEY = "sub";

/** The CreateTable input for the profile table (as in serverless.yml), for local engines and tests. */
export function profileTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyTable(tableName, PROFILE_KEY);
}

/** The DynamoDB item for a profile (absent optional fields are left out, not written as null). */
export function toItem(profile: Profile): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(profile)) {
    if (typeof value === "string") item[key] = { S: value };
  }
  return item;
}

/** A profile read back from a DynamoDB item (string attributes only). */
export function fromItem(item: Record<string, AttributeValue>): Profile {
  const text = (key: string): string | undefined => item[key]?.S;
  const optional = (key: keyof Profile) => {
    const value = text(key);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    sub: text("sub") ?? "",
    username: text("username") ?? "",
    userPoolId: text("userPoolId") ?? "",
    ...optional("email"),
    ...optional("name"),
    createdAt: text("createdAt") ?? "",
    source: (text("source") ?? "native") as ProfileSource,
    ...optional("provider"),
    ...optional("provisionedBy"),
  };
}

/**
 * Profiles in DynamoDB, written with `attribute_not_exists(sub)`. `exists` is one GetItem
 * of the key only (eventually consistent: a read that misses a just-written record only
 * repeats the idempotent provisioning, whose conditional put then answers "exists").
 */
export function dynamoProfileStore(
  client: DynamoDBClient,
  tableName: string,
): ProfileStore & ProfileLookup {
  return {
    async exists(sub, deadline) {
      const out = await awsCall(`GetItem(${tableName})`, deadline, (options) =>
        client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { [PROFILE_KEY]: { S: sub } },
            ProjectionExpression: "#sub",
            ExpressionAttributeNames: { "#sub": PROFILE_KEY },
          }),
          options,
        ),
      );
      return out.Item !== undefined;
    },
    putIfAbsent: (profile, deadline) =>
      awsCall<PutOutcome>(
        `PutItem(${tableName})`,
        deadline,
        async (options) => {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: toItem(profile),
              ConditionExpression: "attribute_not_exists(#sub)",
              ExpressionAttributeNames: { "#sub": PROFILE_KEY },
            }),
            options,
          );
          return "created";
        },
        // The record exists already (an earlier attempt, or a newer write): that is success.
        { expected: { ConditionalCheckFailedException: "exists" } },
      ),
  };
}
