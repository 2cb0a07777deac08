/**
 * The revocation writer: the decision on each documented CloudTrail event shape (pure), the
 * handler against dynalite with AdminGetUser mocked (cognito-local is not in this path), the
 * failures it must surface (thrown, so Lambda retries) or log (unresolvable users), and the
 * whole loop: a written revocation makes the authorizer refuse the user's older tokens.
 */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { createAuthorizerHandler } from "../../shared/authorizer/handler";
import { createAuthorizerLogger } from "../../shared/authorizer/log";
import { createRevocationCheck } from "../../shared/authorizer/revocation";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
import { InvalidEventError } from "../../shared/errors";
import { createLogger } from "../../shared/logger";
import { loadRevocationWriterConfig } from "../../shared/revocation/config";
import { decideRevocation, HIDDEN, REVOCATION_EVENT_NAMES } from "../../shared/revocation/event";
import { createRevocationWriterHandler, UNRESOLVED_MESSAGE } from "../../shared/revocation/handler";
import {
  dynamoRevocationSink,
  dynamoRevocationStore,
  revocationTableDefinition,
} from "../../shared/revocation/store";
import { cognitoUserDirectory, looksLikeSub } from "../../shared/revocation/writer";
import { accessClaims, generateKey, signJwt, testConfig, tokenEvent } from "../authorizer/tokens";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";
import { loadEvent } from "../helpers/events";
import { captureOutput } from "../helpers/logs";

type Event = {
  detail: {
    eventTime: string;
    eventName: string;
    requestParameters: Record<string, unknown> | null;
    additionalEventData?: Record<string, unknown>;
    errorCode?: string;
  };
};

const POOL = "eu-west-1_AbCdEf123";
const SUB = "8f2e1a3c-1111-4a5b-9c9d-0123456789ab";
const JANE_SUB = "0b6e2f7a-2222-4c3d-8e4f-abcdefabcdef";
const EVENT_TIME = Math.floor(Date.parse("2026-12-06T03:00:00Z") / 1000);
const TABLE = "revocations";

let dynamo: LocalDynamo;
let output: ReturnType<typeof captureOutput>;
const cognito = new CognitoIdentityProviderClient({
  region: "eu-west-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const cognitoMock = mockClient(cognito);

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createTable(revocationTableDefinition(TABLE));
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(() => {
  output = captureOutput();
  cognitoMock
    .on(AdminGetUserCommand, { UserPoolId: POOL, Username: "jane" })
    .resolves({ Username: "jane", UserAttributes: [{ Name: "sub", Value: JANE_SUB }] });
  cognitoMock
    .on(AdminGetUserCommand, { UserPoolId: POOL, Username: SUB })
    .rejects(Object.assign(new Error("User does not exist."), { name: "UserNotFoundException" }));
});
afterEach(() => {
  output.restore();
  cognitoMock.reset();
});

function writer(options: { table?: string; client?: DynamoDBClient; pools?: string[] } = {}) {
  return createRevocationWriterHandler({
    config: { userPoolIds: options.pools ?? [POOL], ttlSeconds: 86_400 },
    logger: createLogger("revocationWriter"),
    sink: dynamoRevocationSink(options.client ?? dynamo.client, options.table ?? TABLE),
    directory: cognitoUserDirectory(cognito),
  });
}

describe("decideRevocation (the documented event shapes)", () => {
  it("takes the sub Cognito records, from an Admin call and from a token-authorized one", () => {
    for (const name of ["admin-user-global-sign-out", "global-sign-out"]) {
      expect(decideRevocation(loadEvent(`revocation-writer-${name}`), [POOL])).toMatchObject({
        kind: "revoke",
        revokedAt: EVENT_TIME,
        target: { kind: "sub", sub: SUB },
      });
    }
  });

  it("falls back on the username and pool of an Admin call (resolved later)", () => {
    expect(decideRevocation(loadEvent("revocation-writer-admin-disable-user"), [POOL])).toEqual(
      expect.objectContaining({
        kind: "revoke",
        eventName: "AdminDisableUser",
        userPoolId: POOL,
        target: { kind: "username", userPoolId: POOL, username: "jane" },
      }),
    );
  });

  it("a RevokeToken without a recorded sub is unresolvable (the token is redacted)", () => {
    expect(
      decideRevocation(loadEvent("revocation-writer-revoke-token-no-sub"), [POOL]),
    ).toMatchObject({ kind: "unresolvable", eventName: "RevokeToken" });
  });

  it("also finds the sub where the documented hosted UI events put it", () => {
    const event = loadEvent<Event>("revocation-writer-revoke-token-no-sub");
    event.detail.additionalEventData = {
      userPoolId: POOL,
      requestParameters: { sub: [SUB], username: [HIDDEN] },
    };
    expect(decideRevocation(event, [POOL])).toMatchObject({
      kind: "revoke",
      userPoolId: POOL,
      target: { kind: "sub", sub: SUB },
    });
  });

  it("never takes a redaction marker for a user", () => {
    const event = loadEvent<Event>("revocation-writer-admin-user-global-sign-out");
    event.detail.additionalEventData = { sub: HIDDEN };
    expect(decideRevocation(event, [POOL])).toMatchObject({ kind: "unresolvable" });
  });

  it("ignores failed calls, other pools, other calls and other sources", () => {
    const otherPool = loadEvent<Event>("revocation-writer-admin-disable-user");
    const otherCall = loadEvent<Event>("revocation-writer-admin-disable-user");
    otherCall.detail.eventName = "AdminGetUser";
    const otherSource = {
      ...loadEvent<Record<string, unknown>>("revocation-writer-global-sign-out"),
      source: "aws.s3",
    };
    const decisions = [
      decideRevocation(loadEvent("revocation-writer-failed-call"), [POOL]),
      decideRevocation(otherPool, ["eu-west-1_Other1"]),
      decideRevocation(otherCall, [POOL]),
      decideRevocation(otherSource, [POOL]),
    ];
    expect(decisions.map((d) => d.kind)).toEqual(["ignore", "ignore", "ignore", "ignore"]);
  });

  it("refuses what is not an EventBridge event, or has no valid eventTime", () => {
    const noTime = loadEvent<Event>("revocation-writer-global-sign-out");
    noTime.detail.eventTime = "yesterday";
    for (const bad of [null, "x", {}, { detail: "x" }, noTime]) {
      expect(() => decideRevocation(bad, [POOL])).toThrow(InvalidEventError);
    }
  });

  it("handles every event the rule sends (the same list as resources/revocation.yml)", () => {
    const { readFileSync } = require("node:fs") as typeof import("node:fs");
    const yml = readFileSync(`${__dirname}/../../resources/revocation.yml`, "utf8");
    for (const name of REVOCATION_EVENT_NAMES) expect(yml).toContain(`- ${name}\n`);
  });

  it("a sub is a UUID; usernames that are not cannot stand in for one", () => {
    expect(looksLikeSub(SUB)).toBe(true);
    expect(looksLikeSub("jane")).toBe(false);
    expect(looksLikeSub(`${SUB}x`)).toBe(false);
  });
});

describe("the writer (dynalite, AdminGetUser mocked)", () => {
  const store = () => dynamoRevocationStore(TABLE, dynamo.client);

  it("writes sub -> eventTime for each resolvable sample event, with the TTL", async () => {
    // Act
    const results = [];
    for (const name of [
      "admin-user-global-sign-out",
      "global-sign-out",
      "admin-disable-user",
      "admin-delete-user",
    ]) {
      results.push(await writer()(loadEvent(`revocation-writer-${name}`)));
    }

    // Assess
    expect(results).toEqual([
      { outcome: "written", sub: SUB, revokedAt: EVENT_TIME },
      { outcome: "written", sub: SUB, revokedAt: EVENT_TIME },
      { outcome: "written", sub: JANE_SUB, revokedAt: EVENT_TIME },
      // AdminDeleteUser: the user is gone, its username has a sub's shape (email sign-in pools).
      { outcome: "written", sub: SUB, revokedAt: EVENT_TIME },
    ]);
    expect(await store().revokedAt(JANE_SUB)).toBe(EVENT_TIME);
    const { GetItemCommand } = await import("@aws-sdk/client-dynamodb");
    const item = await dynamo.client.send(
      new GetItemCommand({ TableName: TABLE, Key: { sub: { S: JANE_SUB } } }),
    );
    expect(item.Item?.expiresAt?.N).toBe(String(EVENT_TIME + 86_400));
  });

  it("an event delivered late never moves a newer revocation back", async () => {
    const newer = loadEvent<Event>("revocation-writer-global-sign-out");
    newer.detail.eventTime = "2026-12-06T04:00:00Z";
    await writer()(newer);
    await writer()(loadEvent("revocation-writer-global-sign-out"));
    expect(await store().revokedAt(SUB)).toBe(EVENT_TIME + 3600);
  });

  it("logs an unresolvable user at ERROR, writes nothing and does not throw", async () => {
    const deleted = loadEvent<Event>("revocation-writer-admin-disable-user");
    deleted.detail.eventName = "AdminDeleteUser";
    (deleted.detail.requestParameters as Record<string, unknown>).username = "gone-user";
    cognitoMock
      .on(AdminGetUserCommand, { UserPoolId: POOL, Username: "gone-user" })
      .rejects(Object.assign(new Error("User does not exist."), { name: "UserNotFoundException" }));

    const results = [
      await writer()(deleted),
      await writer()(loadEvent("revocation-writer-revoke-token-no-sub")),
    ];

    expect(results.map((r) => r.outcome)).toEqual(["unresolved", "unresolved"]);
    const errors = output.jsonLines().filter((l) => l.level === "ERROR");
    expect(errors.map((l) => [l.message, l.eventName])).toEqual([
      [UNRESOLVED_MESSAGE, "AdminDeleteUser"],
      [UNRESOLVED_MESSAGE, "RevokeToken"],
    ]);
    expect(output.text()).not.toContain("clientSecret");
  });

  it("throws (Lambda retries) when the table or Cognito fails, and logs the error name", async () => {
    cognitoMock
      .on(AdminGetUserCommand, { UserPoolId: POOL, Username: "jane" })
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" }));
    await expect(writer()(loadEvent("revocation-writer-admin-disable-user"))).rejects.toThrow(
      "Rate exceeded",
    );
    await expect(
      writer({ table: "no-such-table" })(loadEvent("revocation-writer-global-sign-out")),
    ).rejects.toHaveProperty("name", "ResourceNotFoundException");
    const errors = output.jsonLines().filter((l) => l.level === "ERROR");
    expect(errors.map((l) => l.error)).toEqual([
      "TooManyRequestsException",
      "ResourceNotFoundException",
    ]);
  });

  it("the loop: after the writer runs, the authorizer refuses older tokens, not newer ones", async () => {
    // Prepare
    const key = generateKey();
    const sub = "5c1d2e3f-3333-4a4b-9c8d-111122223333";
    const nowSeconds = Math.floor(Date.now() / 1000);
    const event = loadEvent<Event>("revocation-writer-global-sign-out");
    event.detail.eventTime = new Date((nowSeconds - 30) * 1000).toISOString();
    event.detail.additionalEventData = { sub };
    const config = testConfig(key, { tokenCacheSize: 100 });
    const authorizer = createAuthorizerHandler({
      config,
      verifier: createTokenVerifier(config),
      logger: createAuthorizerLogger("authorizer"),
      revocation: createRevocationCheck({
        store: store(),
        failureMode: "closed",
        maxAgeMs: 0,
        maxEntries: 100,
      }),
    });
    const before = signJwt(key, accessClaims({ sub, iat: nowSeconds - 60 }));
    const after = signJwt(key, accessClaims({ sub, iat: nowSeconds - 10 }));
    await expect(authorizer(tokenEvent(`Bearer ${before}`))).resolves.toHaveProperty(
      "principalId",
      sub,
    );

    // Act
    await writer()(event);

    // Assess
    await expect(authorizer(tokenEvent(`Bearer ${before}`))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorizer(tokenEvent(`Bearer ${after}`))).resolves.toHaveProperty(
      "principalId",
      sub,
    );
  });
});

describe("loadRevocationWriterConfig", () => {
  const base = { REVOCATION_TABLE_NAME: "t-revocations", REVOCATION_USER_POOL_IDS: POOL };

  it("reads the table, the TTL (default one day) and the pools", () => {
    expect(loadRevocationWriterConfig(base)).toMatchObject({
      tableName: "t-revocations",
      ttlSeconds: 86_400,
      userPoolIds: [POOL],
    });
  });

  it.each([
    [{ ...base, REVOCATION_TABLE_NAME: "" }, "REVOCATION_TABLE_NAME"],
    [{ ...base, REVOCATION_USER_POOL_IDS: "" }, "REVOCATION_USER_POOL_IDS"],
    [{ ...base, REVOCATION_USER_POOL_IDS: "pool" }, "REVOCATION_USER_POOL_IDS"],
    [{ ...base, REVOCATION_TTL_SECONDS: "60" }, "REVOCATION_TTL_SECONDS"],
  ])("refuses %j naming %s", (env, variable) => {
    expect(() => loadRevocationWriterConfig(env)).toThrow(variable);
  });

  it("local mode: no pool list means any pool", () => {
    expect(
      loadRevocationWriterConfig({ ...base, REVOCATION_USER_POOL_IDS: "", IS_LOCAL: "true" })
        .userPoolIds,
    ).toBeUndefined();
  });
});
