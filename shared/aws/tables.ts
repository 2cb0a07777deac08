/**
 * DynamoDB table shapes shared by the suite's tables (the profile table, the custom-auth
 * attempts table), as CreateTable inputs for local engines and tests. serverless.yml declares
 * the same tables; tests check each definition against it.
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

/** An on-demand table keyed by one string partition key `key` (no sort key). */
export function stringKeyTable(tableName: string, key: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
    KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  };
}
