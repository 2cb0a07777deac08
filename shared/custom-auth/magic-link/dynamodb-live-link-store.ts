/**
 * The live-links store in DynamoDB: the one live link per user as an item holding the SHA-256
 * of the latest link's nonce. Issuing replaces it (one conditional PutItem, unless the last one
 * is younger than the throttle); using it deletes it (one conditional DeleteItem), so a link
 * works once and an older link never.
 *
 * Item: `pk` = `<userPoolId>#<userName>`, `nonceHash` (base64url), `issuedAt` (epoch seconds),
 * `expiresAt` (epoch seconds: the link's expiry, and the table's TTL attribute).
 */
import {
  type CreateTableCommandInput,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { awsCall, awsErrorName, type Deadline, errorLabel } from "../../aws/clients";
import { stringKeyTable } from "../../aws/tables";
import type { DependencyError } from "../../errors";
import {
  type ConsumeOutcome,
  ISSUED_AT_ATTRIBUTE,
  type IssueOutcome,
  type LiveLinkStore,
  LiveLinkStoreError,
  NONCE_HASH_ATTRIBUTE,
  NONCE_KEY,
  NONCE_TTL_ATTRIBUTE,
} from "./live-link-store";

/** CreateTable input of the nonce table (as `MagicLinkNonceTable` in resources, checked by a test). */
export function nonceTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyTable(tableName, NONCE_KEY);
}

const CONDITION_FAILED = "ConditionalCheckFailedException";

function storeError(operation: string, error: unknown, deadline?: Deadline): DependencyError {
  if (deadline?.expired) return deadline.failure(operation, error);
  const label = errorLabel(error) ?? awsErrorName(error) ?? "unknown error";
  return new LiveLinkStoreError(`${operation} failed: ${label}`, { cause: error });
}

/** The live-links store in DynamoDB: one conditional PutItem to issue, one conditional DeleteItem to use. */
export function dynamoLiveLinkStore(
  client: Pick<DynamoDBClient, "send">,
  tableName: string,
): LiveLinkStore {
  const names = {
    "#pk": NONCE_KEY,
    "#h": NONCE_HASH_ATTRIBUTE,
    "#i": ISSUED_AT_ATTRIBUTE,
    "#e": NONCE_TTL_ATTRIBUTE,
  };
  return {
    issue(key, link, throttleSeconds, deadline) {
      return awsCall<IssueOutcome>(
        `PutItem(${tableName})`,
        deadline,
        async (options) => {
          await client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                [NONCE_KEY]: { S: key },
                [NONCE_HASH_ATTRIBUTE]: { S: link.nonceHash },
                [ISSUED_AT_ATTRIBUTE]: { N: String(link.issuedAt) },
                [NONCE_TTL_ATTRIBUTE]: { N: String(link.expiresAt) },
              },
              // No live link, or one old enough: replace it. Else keep it (throttled).
              ConditionExpression: "attribute_not_exists(#pk) OR #i <= :cutoff",
              ExpressionAttributeNames: { "#pk": names["#pk"], "#i": names["#i"] },
              ExpressionAttributeValues: {
                ":cutoff": { N: String(link.issuedAt - throttleSeconds) },
              },
            }),
            options,
          );
          return "issued";
        },
        { expected: { [CONDITION_FAILED]: "throttled" }, fail: storeError },
      );
    },

    consume(key, hash, nowMs, deadline) {
      return awsCall<ConsumeOutcome>(
        `DeleteItem(${tableName})`,
        deadline,
        async (options) => {
          await client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: { [NONCE_KEY]: { S: key } },
              ConditionExpression: "#h = :h AND #e > :now",
              ExpressionAttributeNames: { "#h": names["#h"], "#e": names["#e"] },
              ExpressionAttributeValues: {
                ":h": { S: hash },
                ":now": { N: String(Math.floor(nowMs / 1000)) },
              },
            }),
            options,
          );
          return "consumed";
        },
        { expected: { [CONDITION_FAILED]: "rejected" }, fail: storeError },
      );
    },
  };
}
