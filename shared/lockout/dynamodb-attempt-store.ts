/**
 * The DynamoDB implementation of {@link AttemptStore} (in AWS, and at a local engine's endpoint).
 *
 * One item per user: `pk` = `<userPoolId>#<userName>`, `failures` (a number, incremented
 * atomically), `expiresAt` (epoch seconds: the end of the counting window, and the table's TTL
 * attribute). The window starts at the first failure and is not extended by later ones; an
 * item whose window has passed counts as absent (TTL deletes it later, within days).
 */
import {
  type AttributeValue,
  type CreateTableCommandInput,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { awsCall, awsErrorName, type Deadline, errorLabel } from "../aws/clients";
import { stringKeyTable } from "../aws/tables";
import type { DependencyError } from "../errors";
import {
  type AttemptStore,
  AttemptStoreMisconfiguredError,
  AttemptStoreUnavailableError,
  epochSeconds,
  type FailureCount,
} from "./attempt-store";

/** The table's partition key (string): `<userPoolId>#<userName>`. */
export const ATTEMPTS_KEY = "pk";
/** The failure count attribute (number). */
export const FAILURES_ATTRIBUTE = "failures";
/** End of the counting window, epoch seconds (number); the table's TTL attribute. */
export const TTL_ATTRIBUTE = "expiresAt";

/**
 * The CreateTable input for the attempts table (as `CustomAuthAttemptsTable` in serverless.yml,
 * which a test checks), for local engines and tests. TTL is set separately (UpdateTimeToLive).
 */
export function attemptsTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyTable(tableName, ATTEMPTS_KEY);
}

// SDK error names that no retry or wait will change: the deployment is wrong.
const MISCONFIGURED = new Set([
  "ResourceNotFoundException",
  "AccessDeniedException",
  "ValidationException",
  "UnrecognizedClientException",
]);

const CONDITION_FAILED = "ConditionalCheckFailedException";

/** The domain error for a failed DynamoDB call (the cause is kept; it holds no secret). */
function storeError(operation: string, error: unknown, deadline?: Deadline): DependencyError {
  const name = awsErrorName(error) ?? "unknown error";
  const message = `${operation} failed: ${errorLabel(error) ?? name}`;
  if (MISCONFIGURED.has(name)) return new AttemptStoreMisconfiguredError(message, { cause: error });
  if (deadline?.expired) return deadline.failure(operation, error, message);
  return new AttemptStoreUnavailableError(message, { cause: error });
}

function countOf(item: Record<string, AttributeValue> | undefined): FailureCount | undefined {
  const failures = Number(item?.[FAILURES_ATTRIBUTE]?.N);
  const windowEndsAt = Number(item?.[TTL_ATTRIBUTE]?.N);
  if (!Number.isSafeInteger(failures) || !Number.isSafeInteger(windowEndsAt)) return undefined;
  return { failures, windowEndsAt };
}

/**
 * The counters in DynamoDB. `read` is one strongly consistent GetItem (a just-counted failure
 * must be seen); `recordFailure` one UpdateItem (two or three only when a stale window is
 * restarted); `clearUnlessLocked` one conditional DeleteItem.
 */
export function dynamoAttemptStore(
  client: Pick<DynamoDBClient, "send">,
  tableName: string,
): AttemptStore {
  const names = { "#f": FAILURES_ATTRIBUTE, "#e": TTL_ATTRIBUTE };
  const keyOf = (key: string) => ({ [ATTEMPTS_KEY]: { S: key } });

  async function update(
    key: string,
    expression: string,
    condition: string,
    values: Record<string, AttributeValue>,
    deadline: Deadline | undefined,
  ): Promise<FailureCount | "condition-failed"> {
    const operation = `UpdateItem(${tableName})`;
    // Throws a DeadlineExceededError (a DependencyError: fail open) when too little time is left.
    const out = await awsCall<UpdateItemCommandOutput | "condition-failed">(
      operation,
      deadline,
      (options) =>
        client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(key),
            UpdateExpression: expression,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: "ALL_NEW",
          }),
          options,
        ),
      { expected: { [CONDITION_FAILED]: "condition-failed" as const }, fail: storeError },
    );
    if (out === "condition-failed") return out;
    const count = countOf(out.Attributes);
    if (count === undefined)
      throw new AttemptStoreUnavailableError(`${operation} returned no count`);
    return count;
  }

  return {
    async read(key, nowMs, deadline) {
      const out = await awsCall(
        `GetItem(${tableName})`,
        deadline,
        (options) =>
          client.send(
            new GetItemCommand({
              TableName: tableName,
              Key: keyOf(key),
              ConsistentRead: true,
              ProjectionExpression: "#f, #e",
              ExpressionAttributeNames: names,
            }),
            options,
          ),
        { fail: storeError },
      );
      const count = countOf(out.Item);
      return count !== undefined && count.windowEndsAt > epochSeconds(nowMs) ? count : undefined;
    },

    async recordFailure(key, nowMs, windowSeconds, deadline) {
      const now = epochSeconds(nowMs);
      const values = {
        ":one": { N: "1" },
        ":now": { N: String(now) },
        ":end": { N: String(now + windowSeconds) },
      };
      // Two rounds cover a race with another restart of a stale window; a third cannot be needed.
      for (let round = 0; round < 2; round++) {
        // The usual case, one call: count in the live window, or open one on a new item.
        const counted = await update(
          key,
          "ADD #f :one SET #e = if_not_exists(#e, :end)",
          "attribute_not_exists(#e) OR #e > :now",
          values,
          deadline,
        );
        if (counted !== "condition-failed") return counted;
        // The item's window has passed (TTL has not deleted it yet): restart it at 1, unless
        // a concurrent call restarted it first (then count in that window, above).
        const restarted = await update(
          key,
          "SET #f = :one, #e = :end",
          "#e <= :now",
          values,
          deadline,
        );
        if (restarted !== "condition-failed") return restarted;
      }
      throw new AttemptStoreUnavailableError(`UpdateItem(${tableName}) kept losing races`);
    },

    async clearUnlessLocked(key, nowMs, threshold, deadline) {
      return awsCall<"cleared" | "locked">(
        `DeleteItem(${tableName})`,
        deadline,
        async (options) => {
          await client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: keyOf(key),
              // No item, under the threshold, or a passed window: clear. Else keep it: locked.
              ConditionExpression: "attribute_not_exists(#f) OR #f < :threshold OR #e <= :now",
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ":threshold": { N: String(threshold) },
                ":now": { N: String(epochSeconds(nowMs)) },
              },
            }),
            options,
          );
          return "cleared";
        },
        { expected: { [CONDITION_FAILED]: "locked" }, fail: storeError },
      );
    },
  };
}
