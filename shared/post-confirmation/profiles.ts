/**
 * Profile store adapters: a conditional put into DynamoDB, or the local JSON-lines
 * stand-in. Both write a profile at most once per `sub`: an existing record is
 * success ("exists") and is never overwritten, so Cognito's retries are harmless
 * and a record another process has updated since keeps its newer data.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { awsErrorName, callFailure, type Deadline } from "../aws/clients";
import { stringKeyTable } from "../aws/tables";
import type { Profile, ProfileSource } from "./decide";

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
      const operation = `GetItem(${tableName})`;
      const options = deadline?.callOptions(operation);
      try {
        const out = await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { [PROFILE_KEY]: { S: sub } },
            ProjectionExpression: "#sub",
            ExpressionAttributeNames: { "#sub": PROFILE_KEY },
          }),
          options,
        );
        return out.Item !== undefined;
      } catch (error) {
        throw callFailure(operation, error, deadline);
      }
    },
    async putIfAbsent(profile, deadline) {
      const operation = `PutItem(${tableName})`;
      const options = deadline?.callOptions(operation);
      try {
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
      } catch (error) {
        // The record exists already (an earlier attempt, or a newer write): that is success.
        if (awsErrorName(error) === "ConditionalCheckFailedException") return "exists";
        throw callFailure(operation, error, deadline);
      }
    },
  };
}

/**
 * Local stand-in (local mode, no DynamoDB endpoint): appends each new profile as one
 * JSON line to `file` and, like the conditional put, leaves an existing `sub` alone.
 * Not safe for concurrent writers; it is for `npm run invoke` only.
 */
export function jsonLinesProfileStore(file: string): ProfileStore & ProfileLookup {
  async function has(sub: string): Promise<boolean> {
    let existing = "";
    try {
      existing = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const line of existing.split("\n")) {
      if (line.trim() === "") continue;
      try {
        if ((JSON.parse(line) as { sub?: unknown }).sub === sub) return true;
      } catch {
        // A hand-edited, broken line: ignore it rather than block local work.
      }
    }
    return false;
  }
  return {
    exists: has,
    async putIfAbsent(profile) {
      if (await has(profile.sub)) return "exists";
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify(profile)}\n`, "utf8");
      return "created";
    },
  };
}
