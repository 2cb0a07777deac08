/**
 * `npm run revoke -- --table <name> (--sub <sub> | --user-pool-id <id> --username <name>)
 *  [--ttl-seconds 86400] [--endpoint http://127.0.0.1:8000]`: records that every token of the
 * user issued up to now is revoked (docs/authorizer.md#revocation), through the same writer as
 * the revocation writer function (shared/revocation/writer.ts).
 */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { dynamoRevocationSink } from "../shared/revocation/store";
import {
  cognitoUserDirectory,
  DEFAULT_REVOCATION_TTL_SECONDS,
  type RevocationTarget,
  revokeUser,
} from "../shared/revocation/writer";

/** What to revoke. */
export interface RevokeRequest {
  readonly table: string;
  readonly sub?: string;
  readonly userPoolId?: string;
  readonly username?: string;
  readonly ttlSeconds: number;
}

/** Resolve the user's `sub` (from `sub`, or the username through AdminGetUser) and write. */
export async function runRevoke(
  request: RevokeRequest,
  clients: { dynamo: DynamoDBClient; cognito?: CognitoIdentityProviderClient },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ sub: string; revokedAt: number }> {
  let target: RevocationTarget;
  if (request.sub !== undefined && request.sub !== "") {
    target = { kind: "sub", sub: request.sub };
  } else if (request.userPoolId && request.username) {
    target = { kind: "username", userPoolId: request.userPoolId, username: request.username };
  } else {
    throw new Error("give --sub, or --user-pool-id and --username");
  }
  if (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds < 300) {
    throw new Error("--ttl-seconds must be an integer of at least 300");
  }
  const outcome = await revokeUser(target, nowSeconds, {
    sink: dynamoRevocationSink(clients.dynamo, request.table),
    directory: clients.cognito && cognitoUserDirectory(clients.cognito),
    ttlSeconds: request.ttlSeconds,
  });
  if (outcome.kind === "unresolved") throw new Error(`not revoked: ${outcome.reason}`);
  return { sub: outcome.sub, revokedAt: outcome.revokedAt };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const table = arg("table");
  if (!table) throw new Error("--table is required");
  const endpoint = arg("endpoint");
  const dynamo = new DynamoDBClient(endpoint ? { endpoint } : {});
  const result = await runRevoke(
    {
      table,
      sub: arg("sub"),
      userPoolId: arg("user-pool-id"),
      username: arg("username"),
      ttlSeconds: Number(arg("ttl-seconds") ?? DEFAULT_REVOCATION_TTL_SECONDS),
    },
    { dynamo, cognito: new CognitoIdentityProviderClient({}) },
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`revoke: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
