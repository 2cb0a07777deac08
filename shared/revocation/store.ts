/**
 * The revocation store on DynamoDB: one item per user, `sub` (string key) -> `revokedAt`
 * (epoch seconds), `expiresAt` as the table's TTL. Read by the authorizer (loaded only when
 * revocation is on, so the SDK stays off its cold path otherwise), written by the revocation
 * writer and `npm run revoke` (through `./writer.ts`).
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";

/** Where revocations are read: `revokedAt` (epoch seconds) of a `sub`, or undefined. */
export interface RevocationStore {
  /** The latest revocation time of `sub` in epoch seconds, or undefined when none. */
  revokedAt(sub: string): Promise<number | undefined>;
}

/** Where revocations are written (DynamoDB, or the local stand-in). */
export interface RevocationSink {
  /**
   * Record that every token of `sub` issued at or before `revokedAt` (epoch seconds) is
   * revoked, the record kept `ttlSeconds`. Never moves an existing revocation back.
   */
  write(sub: string, revokedAt: number, ttlSeconds: number): Promise<void>;
}

/** The table's definition (the one serverless.yml's resource and the tests create). */
export function revocationTableDefinition(tableName: string) {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: "sub", AttributeType: "S" as const }],
    KeySchema: [{ AttributeName: "sub", KeyType: "HASH" as const }],
    BillingMode: "PAY_PER_REQUEST" as const,
  };
}

/** Read `revokedAt` with a strongly consistent GetItem (a revocation just written counts). */
export function dynamoRevocationStore(
  tableName: string,
  client: DynamoDBClient = new DynamoDBClient({}),
): RevocationStore {
  return {
    async revokedAt(sub) {
      const out = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { sub: { S: sub } },
          ConsistentRead: true,
          ProjectionExpression: "revokedAt",
        }),
      );
      const value = out.Item?.revokedAt?.N;
      if (value === undefined) return undefined;
      const parsed = Number(value);
      // A malformed item must not pass as "never revoked": the check fails (mode decides).
      if (!Number.isFinite(parsed)) throw new Error("revokedAt is not a number");
      return parsed;
    },
  };
}

/** The DynamoDB {@link RevocationSink} ({@link writeRevocation} on `tableName`). */
export function dynamoRevocationSink(client: DynamoDBClient, tableName: string): RevocationSink {
  return {
    write: (sub, revokedAt, ttlSeconds) =>
      writeRevocation(client, tableName, sub, revokedAt, ttlSeconds),
  };
}

/**
 * Record that every token of `sub` issued at or before `revokedAt` is revoked. Only moves
 * forward (an older revocation never replaces a newer one); the item expires `ttlSeconds`
 * after it, when every token it covers has expired anyway.
 */
export async function writeRevocation(
  client: DynamoDBClient,
  tableName: string,
  sub: string,
  revokedAt: number,
  ttlSeconds: number,
): Promise<void> {
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          sub: { S: sub },
          revokedAt: { N: String(revokedAt) },
          expiresAt: { N: String(revokedAt + ttlSeconds) },
        },
        ConditionExpression: "attribute_not_exists(revokedAt) OR revokedAt < :r",
        ExpressionAttributeValues: { ":r": { N: String(revokedAt) } },
      }),
    );
  } catch (error) {
    if ((error as { name?: unknown })?.name === "ConditionalCheckFailedException") return;
    throw error;
  }
}
