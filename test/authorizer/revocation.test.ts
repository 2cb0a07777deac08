/**
 * Opt-in revocation against dynalite: the DynamoDB store, the bounded cache (entries at most
 * `maxAgeMs` old), fail-open/fail-closed, and the handler refusing a revoked token (cached
 * or not) with exactly `Unauthorized`.
 */
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createAuthorizerHandler } from "../../shared/authorizer/handler";
import { createAuthorizerLogger } from "../../shared/authorizer/log";
import {
  createRevocationCheck,
  isRevoked,
  type RevocationStore,
  TokenRevokedError,
} from "../../shared/authorizer/revocation";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
import {
  dynamoRevocationStore,
  revocationTableDefinition,
  writeRevocation,
} from "../../shared/revocation/store";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";
import { captureOutput } from "../helpers/logs";
import {
  accessClaims,
  countingFetcher,
  generateKey,
  signJwt,
  testConfig,
  tokenEvent,
} from "./tokens";

const key = generateKey();
const SUB = "8f2e1a3c-1111-4a5b-9c9d-0123456789ab";
const TABLE = "revocations";
const now = (): number => Math.floor(Date.now() / 1000);

let dynamo: LocalDynamo;
let output: ReturnType<typeof captureOutput>;
beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.client.send(new CreateTableCommand(revocationTableDefinition(TABLE)));
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => output.restore());

function handlerWith(store: RevocationStore, failureMode: "closed" | "open", clock = Date.now) {
  const config = testConfig(key, { tokenCacheSize: 100 });
  const verifier = createTokenVerifier(config, { fetcher: countingFetcher() });
  const revocation = createRevocationCheck({
    store,
    failureMode,
    maxAgeMs: 30_000,
    maxEntries: 100,
    now: clock,
  });
  return createAuthorizerHandler({
    config,
    verifier,
    logger: createAuthorizerLogger("authorizer"),
    revocation,
  });
}

describe("isRevoked", () => {
  it("revokes tokens issued at or before revokedAt only", () => {
    expect(isRevoked(100, 100)).toBe(true);
    expect(isRevoked(99, 100)).toBe(true);
    expect(isRevoked(101, 100)).toBe(false);
    expect(isRevoked(100, undefined)).toBe(false);
  });
});

describe("DynamoDB store (dynalite)", () => {
  it("reads what was written, and a revocation only moves forward", async () => {
    const store = dynamoRevocationStore(TABLE, dynamo.client);
    await writeRevocation(dynamo.client, TABLE, "sub-a", 2000, 86_400);
    await writeRevocation(dynamo.client, TABLE, "sub-a", 1000, 86_400);
    expect(await store.revokedAt("sub-a")).toBe(2000);
    expect(await store.revokedAt("sub-never")).toBeUndefined();
  });

  it("a token issued before the revocation is refused; one issued after passes (handler)", async () => {
    // Prepare
    const issued = now() - 120;
    await writeRevocation(dynamo.client, TABLE, SUB, issued + 60, 86_400);
    const handler = handlerWith(dynamoRevocationStore(TABLE, dynamo.client), "closed");
    const before = signJwt(key, accessClaims({ iat: issued }));
    const after = signJwt(key, accessClaims({ iat: issued + 61 }));

    // Act + Assess: twice each (the second from the verified-token cache)
    for (let i = 0; i < 2; i++) {
      await expect(handler(tokenEvent(`Bearer ${before}`))).rejects.toThrow(/^Unauthorized$/);
      await expect(handler(tokenEvent(`Bearer ${after}`))).resolves.toHaveProperty(
        "principalId",
        SUB,
      );
    }
  });

  it("a cached Allow ends once a revocation is written and the cache entry ages out", async () => {
    let clock = Date.now();
    const sub = "sub-later";
    const handler = handlerWith(dynamoRevocationStore(TABLE, dynamo.client), "closed", () => clock);
    const token = signJwt(key, accessClaims({ sub, iat: now() - 10 }));
    await expect(handler(tokenEvent(`Bearer ${token}`))).resolves.toHaveProperty(
      "principalId",
      sub,
    );

    await writeRevocation(dynamo.client, TABLE, sub, now(), 86_400);
    clock += 30_001;

    await expect(handler(tokenEvent(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
  });

  it("a table that cannot be read: closed refuses, open allows (and logs)", async () => {
    const broken = new DynamoDBClient({
      endpoint: "http://127.0.0.1:9",
      region: "eu-west-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    const missingTable = dynamoRevocationStore("no-such-table", dynamo.client);
    const unreachable = dynamoRevocationStore(TABLE, broken);
    const token = signJwt(key, accessClaims());
    for (const store of [missingTable, unreachable]) {
      await expect(handlerWith(store, "closed")(tokenEvent(`Bearer ${token}`))).rejects.toThrow(
        /^Unauthorized$/,
      );
      await expect(
        handlerWith(store, "open")(tokenEvent(`Bearer ${token}`)),
      ).resolves.toHaveProperty("principalId");
    }
    broken.destroy();
  });
});

describe("revocation cache", () => {
  it("reuses a read for at most maxAgeMs, caps its entries, and shares concurrent reads", async () => {
    let clock = 0;
    let reads = 0;
    const revoked = new Map<string, number>();
    const check = createRevocationCheck({
      store: {
        revokedAt: async (sub) => {
          reads++;
          return revoked.get(sub);
        },
      },
      failureMode: "closed",
      maxAgeMs: 30_000,
      maxEntries: 2,
      now: () => clock,
    });

    await Promise.all([check("a", 10), check("a", 10), check("a", 10)]);
    expect(reads).toBe(1);
    revoked.set("a", 50);
    await check("a", 10); // still within 30 s: the old read
    clock = 30_000;
    await expect(check("a", 10)).rejects.toBeInstanceOf(TokenRevokedError);
    expect(reads).toBe(2);
    await check("b", 10);
    await check("c", 10);
    await check("a", 10).catch(() => undefined); // "a" was dropped (cap 2): read again
    expect(reads).toBe(5);
  });
});

describe("admin script (scripts/revoke.ts)", () => {
  it("writes a revocation by sub, and by username through AdminGetUser", async () => {
    const { mockClient } = await import("aws-sdk-client-mock");
    const { AdminGetUserCommand, CognitoIdentityProviderClient } = await import(
      "@aws-sdk/client-cognito-identity-provider"
    );
    const { runRevoke } = await import("../../scripts/revoke");
    const cognito = new CognitoIdentityProviderClient({ region: "eu-west-1" });
    const mock = mockClient(cognito);
    mock
      .on(AdminGetUserCommand, { UserPoolId: "eu-west-1_Pool", Username: "jane" })
      .resolves({ Username: "jane", UserAttributes: [{ Name: "sub", Value: "sub-jane" }] });

    await runRevoke(
      { table: TABLE, sub: "sub-direct", ttlSeconds: 3600 },
      { dynamo: dynamo.client },
      5000,
    );
    const byName = await runRevoke(
      { table: TABLE, userPoolId: "eu-west-1_Pool", username: "jane", ttlSeconds: 3600 },
      { dynamo: dynamo.client, cognito },
      6000,
    );

    const store = dynamoRevocationStore(TABLE, dynamo.client);
    expect(await store.revokedAt("sub-direct")).toBe(5000);
    expect(byName).toEqual({ sub: "sub-jane", revokedAt: 6000 });
    expect(await store.revokedAt("sub-jane")).toBe(6000);
    mock.reset();
  });
});
