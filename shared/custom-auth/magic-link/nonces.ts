/**
 * The one live link per user: a DynamoDB item (or, in local mode without an engine, a JSON
 * file) holding the SHA-256 of the latest link's nonce. Issuing replaces it (unless the last
 * one is younger than the throttle); using it deletes it with a conditional delete, so a link
 * works once and an older link never.
 *
 * Item: `pk` = `<userPoolId>#<userName>`, `nonceHash` (base64url), `issuedAt` (epoch seconds),
 * `expiresAt` (epoch seconds: the link's expiry, and the table's TTL attribute).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
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
  type IssuedLink,
  type IssueOutcome,
  NONCE_HASH_ATTRIBUTE,
  NONCE_KEY,
  NONCE_TTL_ATTRIBUTE,
  type NonceStore,
  NonceStoreError,
} from "./nonce-store";

export {
  type ConsumeOutcome,
  ISSUED_AT_ATTRIBUTE,
  type IssuedLink,
  type IssueOutcome,
  NONCE_HASH_ATTRIBUTE,
  NONCE_KEY,
  NONCE_TTL_ATTRIBUTE,
  type NonceStore,
  NonceStoreError,
  nonceKey,
} from "./nonce-store";

/** CreateTable input of the nonce table (as `MagicLinkNonceTable` in resources, checked by a test). */
export function nonceTableDefinition(tableName: string): CreateTableCommandInput {
  return stringKeyTable(tableName, NONCE_KEY);
}

const CONDITION_FAILED = "ConditionalCheckFailedException";

function storeError(operation: string, error: unknown, deadline?: Deadline): DependencyError {
  if (deadline?.expired) return deadline.failure(operation, error);
  const label = errorLabel(error) ?? awsErrorName(error) ?? "unknown error";
  return new NonceStoreError(`${operation} failed: ${label}`, { cause: error });
}

/** The nonce store in DynamoDB: one conditional PutItem to issue, one conditional DeleteItem to use. */
export function dynamoNonceStore(
  client: Pick<DynamoDBClient, "send">,
  tableName: string,
): NonceStore {
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

/**
 * Local stand-in (local mode, no DynamoDB endpoint): the live links in one JSON file
 * (`{ "<key>": { nonceHash, issuedAt, expiresAt } }`), same rules as the table. Not safe for
 * concurrent writers: it is for `npm run invoke` only.
 */
export function localFileNonceStore(file: string): NonceStore {
  type Links = Record<string, IssuedLink>;
  function load(): Links {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return Object.assign(Object.create(null), parsed) as Links;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && code !== "ENOENT") {
        throw new NonceStoreError(`local magic-link file unreadable (${code})`);
      }
    }
    return Object.create(null) as Links;
  }
  function save(links: Links): void {
    try {
      mkdirSync(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(links, null, 2)}\n`, { mode: 0o600 });
      renameSync(temporary, file);
    } catch (error) {
      throw new NonceStoreError(
        `local magic-link file not written (${(error as NodeJS.ErrnoException).code ?? "unknown"})`,
      );
    }
  }
  return {
    async issue(key, link, throttleSeconds) {
      const links = load();
      const current = links[key];
      if (current !== undefined && current.issuedAt > link.issuedAt - throttleSeconds) {
        return "throttled";
      }
      links[key] = { ...link };
      save(links);
      return "issued";
    },
    async consume(key, hash, nowMs) {
      const links = load();
      const current = links[key];
      if (
        current === undefined ||
        current.nonceHash !== hash ||
        current.expiresAt <= Math.floor(nowMs / 1000)
      ) {
        return "rejected";
      }
      delete links[key];
      save(links);
      return "consumed";
    },
  };
}
