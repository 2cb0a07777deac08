/**
 * Where the cross-sign-in failure counters live: a DynamoDB table in AWS (and at a local
 * engine's endpoint), a JSON file in local mode. Both implement {@link AttemptStore}.
 *
 * One item per user: `pk` = `<userPoolId>#<userName>`, `failures` (a number, incremented
 * atomically), `expiresAt` (epoch seconds: the end of the counting window, and the table's TTL
 * attribute). The window starts at the first failure and is not extended by later ones; an
 * item whose window has passed counts as absent (TTL deletes it later, within days).
 *
 * Errors are split for the handlers' fail-open / fail-closed decision (docs/custom-auth.md,
 * "Cross-sign-in lockout"): {@link AttemptStoreUnavailableError} for what passes (throttling,
 * timeouts, 5xx, the invocation deadline), {@link AttemptStoreMisconfiguredError} for what
 * refuses every call (no such table, access denied, an invalid request).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  type AttributeValue,
  type CreateTableCommandInput,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandOutput,
} from "@aws-sdk/client-dynamodb";
import {
  awsCall,
  awsErrorName,
  type Deadline,
  errorLabel,
  localEngineOptions,
  sdkClientConfig,
} from "../aws/clients";
import { stringKeyTable } from "../aws/tables";
import type { CommonConfig } from "../config/common";
import type { DependencyError } from "../errors";
import {
  type AttemptStore,
  AttemptStoreMisconfiguredError,
  AttemptStoreUnavailableError,
  type FailureCount,
} from "./attempt-store";
import type { LockoutConfig } from "./config";
import { isLockedOut } from "./lockout";

// The SDK-free part (the interface, the key, the errors) lives in attempt-store.ts, so the
// handlers module -- which the define function bundles too -- does not load the DynamoDB client.
export {
  type AttemptStore,
  AttemptStoreMisconfiguredError,
  AttemptStoreUnavailableError,
  attemptsKey,
  type ClearOutcome,
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

function toSeconds(ms: number): number {
  return Math.floor(ms / 1000);
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
      return count !== undefined && count.windowEndsAt > toSeconds(nowMs) ? count : undefined;
    },

    async recordFailure(key, nowMs, windowSeconds, deadline) {
      const now = toSeconds(nowMs);
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
                ":now": { N: String(toSeconds(nowMs)) },
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

/**
 * Local stand-in (local mode, no DynamoDB endpoint): the counters in one JSON file
 * (`{ "<key>": { "failures": n, "expiresAt": s } }`), with the same rules as the table.
 * Read-modify-write, not safe for concurrent writers: it is for `npm run invoke` only.
 * Delete the file to unlock every user.
 */
export function localFileAttemptStore(file: string): AttemptStore {
  type Counters = Record<string, { failures: number; expiresAt: number }>;

  function load(): Counters {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw new AttemptStoreUnavailableError(
        `local attempts file unreadable (${(error as NodeJS.ErrnoException).code ?? "unknown"})`,
      );
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return Object.assign(Object.create(null), parsed) as Counters;
      }
    } catch {
      // A hand-edited, broken file: start again rather than block local work.
    }
    return {};
  }

  function save(counters: Counters): void {
    try {
      mkdirSync(dirname(file), { recursive: true });
      // Write then rename, so a reader never sees half a file.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(counters, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
    } catch (error) {
      throw new AttemptStoreUnavailableError(
        `local attempts file not written (${(error as NodeJS.ErrnoException).code ?? "unknown"})`,
      );
    }
  }

  function live(counters: Counters, key: string, nowMs: number): FailureCount | undefined {
    const entry = counters[key];
    if (entry === undefined || entry.expiresAt <= toSeconds(nowMs)) return undefined;
    return { failures: entry.failures, windowEndsAt: entry.expiresAt };
  }

  return {
    async read(key, nowMs) {
      return live(load(), key, nowMs);
    },
    async recordFailure(key, nowMs, windowSeconds) {
      const counters = load();
      const current = live(counters, key, nowMs);
      const next = {
        failures: (current?.failures ?? 0) + 1,
        expiresAt: current?.windowEndsAt ?? toSeconds(nowMs) + windowSeconds,
      };
      counters[key] = next;
      save(counters);
      return { failures: next.failures, windowEndsAt: next.expiresAt };
    },
    async clearUnlessLocked(key, nowMs, threshold) {
      const counters = load();
      const current = live(counters, key, nowMs);
      if (isLockedOut(current, threshold, nowMs)) return "locked";
      if (key in counters) {
        delete counters[key];
        save(counters);
      }
      return "cleared";
    },
  };
}

/**
 * The store for a lockout config, built once per container: DynamoDB in AWS (client from
 * `sdkClientConfig`: bounded timeouts and attempts), DynamoDB at `dynamoEndpoint` in local
 * mode when it is set (dynalite in the local stack), else the local JSON file.
 */
export function buildAttemptStore(
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
