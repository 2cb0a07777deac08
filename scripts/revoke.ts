/**
 * `npm run revoke -- --table <name> (--sub <sub> | --user-pool-id <id> --username <name>)
 *  [--ttl-seconds 86400] [--endpoint http://127.0.0.1:8000]`: records that every token of the
 * user issued up to now is revoked (docs/authorizer.md#revocation). A username is resolved to
 * its `sub` with AdminGetUser.
 */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { writeRevocation } from "../shared/authorizer/revocation-dynamodb";

/** What to revoke. */
export interface RevokeRequest {
  readonly table: string;
  readonly sub?: string;
  readonly userPoolId?: string;
  readonly username?: string;
  readonly ttlSeconds: number;
}

/** Resolve the user's `sub` (from `sub`, or the username through AdminGetUser) and write. */
export async function revokeUser(
  request: RevokeRequest,
  clients: { dynamo: DynamoDBClient; cognito?: CognitoIdentityProviderClient },
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ sub: string; revokedAt: number }> {
  let sub = request.sub;
  if (sub === undefined) {
    if (!request.userPoolId || !request.username || !clients.cognito) {
      throw new Error("give --sub, or --user-pool-id and --username");
    }
    const user = await clients.cognito.send(
      new AdminGetUserCommand({ UserPoolId: request.userPoolId, Username: request.username }),
    );
    sub = user.UserAttributes?.find((a) => a.Name === "sub")?.Value;
    if (!sub) throw new Error("the user has no sub attribute");
  }
  await writeRevocation(clients.dynamo, request.table, sub, nowSeconds, request.ttlSeconds);
  return { sub, revokedAt: nowSeconds };
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
  const result = await revokeUser(
    {
      table,
      sub: arg("sub"),
      userPoolId: arg("user-pool-id"),
      username: arg("username"),
      ttlSeconds: Number(arg("ttl-seconds") ?? 86_400),
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
