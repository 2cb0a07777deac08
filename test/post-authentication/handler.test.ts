/**
 * The post-authentication backstop against a real DynamoDB engine (dynalite, in-process on
 * a free loopback port) and a mocked Cognito client: the first sign-in of a user
 * post-confirmation never saw provisions them; later sign-ins only read; failures let the
 * sign-in through and are retried at the next one; malformed events fail clearly.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AdminAddUserToGroupCommand,
  type AdminAddUserToGroupCommandInput,
} from "@aws-sdk/client-cognito-identity-provider";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { Callback, Context } from "aws-lambda";
import { type CallTiming, sdkClientConfig } from "../../shared/aws/clients";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import type { PostAuthenticationTriggerEvent } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import { createPostAuthenticationHandler } from "../../shared/post-authentication/handler";
import { cognitoGroupMembership } from "../../shared/provisioning/groups";
import { dynamoProfileStore, fromItem, toItem } from "../../shared/provisioning/profiles";
import { loadEvent } from "../helpers/events";
import { useProvisioningEngines } from "../post-confirmation/engines";

const engines = useProvisioningEngines();
const { cognitoClient, cognito } = engines;

const SIGN_IN = "post-authentication";
const ALEX_SUB = "5b1d7c2e-3333-4c8d-9e0f-1234567890ab";
const POOL = "eu-west-1_AbCdEf123";
const FAILED = "Post-authentication backstop failed; sign-in allowed, retried next sign-in";

/** A handler over a fresh table; the clock moves one minute per invocation. */
async function setUp({
  createTable = true,
  dynamoClient = engines.dynamo.client,
  timing,
}: {
  createTable?: boolean;
  dynamoClient?: DynamoDBClient;
  timing?: CallTiming;
} = {}) {
  const table = await engines.table("backstop", createTable);
  let minutes = 0;
  const handler = createPostAuthenticationHandler({
    config: { defaultGroup: "members", groupByEmailDomain: { "example.com": "staff" } },
    logger: createLogger("postAuthentication"),
    groups: cognitoGroupMembership(cognitoClient),
    profiles: dynamoProfileStore(dynamoClient, table),
    now: () => new Date(Date.UTC(2026, 10, 22, 12, minutes++)),
    ...(timing ? { timing } : {}),
  });
  return { table, handler };
}

/** Record the DynamoDB commands the handler sends (name and whether the deadline's signal came along). */
function spyOnDynamo() {
  const spy = jest.spyOn(engines.dynamo.client, "send");
  return () =>
    spy.mock.calls.map(([command, options]) => ({
      command: (command as object).constructor.name,
      signal: (options as { abortSignal?: unknown } | undefined)?.abortSignal !== undefined,
    }));
}

const signIn = () => loadEvent<PostAuthenticationTriggerEvent>(SIGN_IN);

describe("post-authentication backstop", () => {
  it("first sign-in of an admin-created user: one profile and the group engines.memberships", async () => {
    // Prepare
    const { table, handler } = await setUp();

    // Act
    const result = await handler(signIn());

    // Assess
    expect(result).toEqual(loadEvent(SIGN_IN));
    expect((await engines.scan(table)).map(fromItem)).toEqual([
      {
        sub: ALEX_SUB,
        username: ALEX_SUB,
        userPoolId: POOL,
        email: "alex.kim@example.com",
        name: "Alex Kim",
        createdAt: "2026-11-22T12:00:00.000Z",
        source: "native",
        provisionedBy: "post-authentication",
      },
    ]);
    expect([...engines.memberships].sort()).toEqual([
      `${POOL}/${ALEX_SUB}/members`,
      `${POOL}/${ALEX_SUB}/staff`,
    ]);
    const done = engines.output
      .jsonLines()
      .find((line) => line.message === "Post-authentication backstop provisioned");
    expect(done).toMatchObject({ sub: ALEX_SUB, profile: "created" });
  });

  it("second and third sign-ins: one GetItem each (with the deadline's signal), no group call, item unchanged", async () => {
    // Prepare
    const { table, handler } = await setUp();
    await handler(signIn());
    const afterFirst = await engines.scan(table);
    cognito.resetHistory();
    const dynamoCalls = spyOnDynamo();

    // Act
    await handler(signIn());
    await handler(signIn());

    // Assess
    expect(dynamoCalls()).toEqual([
      { command: "GetItemCommand", signal: true },
      { command: "GetItemCommand", signal: true },
    ]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
    expect(await engines.scan(table)).toEqual(afterFirst);
  });

  it("a user post-confirmation provisioned: only the GetItem, the record untouched", async () => {
    // Prepare
    const { table, handler } = await setUp();
    const existing = toItem({
      sub: ALEX_SUB,
      username: ALEX_SUB,
      userPoolId: POOL,
      createdAt: "2026-01-01T00:00:00.000Z",
      source: "native",
    });
    await engines.dynamo.client.send(new PutItemCommand({ TableName: table, Item: existing }));
    const dynamoCalls = spyOnDynamo();

    // Act
    await handler(signIn());

    // Assess
    expect(dynamoCalls().map((c) => c.command)).toEqual(["GetItemCommand"]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
    expect(await engines.scan(table)).toEqual([existing]);
  });

  it("a table failure lets the sign-in through, logs the cause at ERROR, and the next sign-in does the work", async () => {
    // Prepare: the table does not exist yet, so GetItem fails with ResourceNotFoundException.
    const { table, handler } = await setUp({ createTable: false });

    // Act
    const first = await handler(signIn());
    await engines.dynamo.createProfileTable(table);
    await handler(signIn());

    // Assess
    expect(first).toEqual(loadEvent(SIGN_IN));
    const failed = engines.output.jsonLines().find((line) => line.message === FAILED);
    expect(failed).toMatchObject({ level: "ERROR", sub: ALEX_SUB });
    expect(JSON.stringify(failed)).toContain(`GetItem(${table}) failed: ResourceNotFoundException`);
    expect(await engines.scan(table)).toHaveLength(1);
    expect(engines.memberships.size).toBe(2);
  });

  it("a failed group call writes no profile, so the next sign-in retries the groups", async () => {
    // Prepare
    const { table, handler } = await setUp();
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "TooManyRequestsException",
    });
    let throttledOnce = false;
    cognito.on(AdminAddUserToGroupCommand).callsFake((input: AdminAddUserToGroupCommandInput) => {
      if (input.GroupName === "staff" && !throttledOnce) {
        throttledOnce = true;
        throw throttled;
      }
      engines.memberships.add(`${input.UserPoolId}/${input.Username}/${input.GroupName}`);
      return {};
    });

    // Act
    await handler(signIn());
    const afterFirst = await engines.scan(table);
    await handler(signIn());

    // Assess
    expect(afterFirst).toEqual([]);
    const step = engines.output
      .jsonLines()
      .find((l) => l.message === "Post-authentication step failed");
    expect(step).toMatchObject({ step: "AdminAddUserToGroup(staff)" });
    expect(engines.output.jsonLines().some((l) => l.message === FAILED)).toBe(true);
    expect(await engines.scan(table)).toHaveLength(1);
    expect([...engines.memberships].sort()).toEqual([
      `${POOL}/${ALEX_SUB}/members`,
      `${POOL}/${ALEX_SUB}/staff`,
    ]);
  });

  it("concurrent first sign-ins (two devices at once): one profile, one membership per group, both signed in", async () => {
    // Prepare
    const { table, handler } = await setUp();

    // Act
    const results = await Promise.all([handler(signIn()), handler(signIn())]);

    // Assess: the reads (almost surely) both missed; the conditional put kept one record.
    expect(results).toEqual([loadEvent(SIGN_IN), loadEvent(SIGN_IN)]);
    expect(await engines.scan(table)).toHaveLength(1);
    expect(engines.memberships.size).toBe(2);
    const outcomes = engines.output
      .jsonLines()
      .filter((line) => line.message === "Post-authentication backstop provisioned")
      .map((line) => line.profile);
    expect(outcomes.filter((outcome) => outcome === "created")).toEqual(["created"]);
    expect(engines.output.jsonLines().some((l) => l.level === "ERROR")).toBe(false);
  });

  it("a failure log carries the sub and the cause, not the email or the client metadata", async () => {
    // Prepare: the table does not exist; the app passed client metadata with the sign-in.
    const { handler } = await setUp({ createTable: false });
    const event = signIn();
    event.request.clientMetadata = { inviteCode: "s3cret-invite-code" };

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toBe(event);
    expect(engines.output.jsonLines().find((l) => l.message === FAILED)).toMatchObject({
      level: "ERROR",
      sub: ALEX_SUB,
    });
    expect(engines.output.text()).not.toContain("s3cret-invite-code");
    expect(engines.output.text()).not.toContain("alex.kim@example.com");
  });

  it("too little Lambda time left: no call at all, the sign-in goes through, logged at ERROR", async () => {
    // Prepare
    const { table, handler } = await setUp();
    const dynamoCalls = spyOnDynamo();
    const context = { getRemainingTimeInMillis: () => 300 } as Context;

    // Act
    const result = await handler(signIn(), context);

    // Assess
    expect(result).toEqual(loadEvent(SIGN_IN));
    expect(dynamoCalls()).toEqual([]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
    expect(await engines.scan(table)).toEqual([]);
    const failed = engines.output.jsonLines().find((line) => line.message === FAILED);
    expect(JSON.stringify(failed)).toContain("DeadlineExceededError");
  });

  it("a hung table: the lookup and its retries stop at the deadline and the sign-in goes through", async () => {
    // Prepare: a DynamoDB endpoint that never answers; 3 attempts of 300 ms would take 1 s.
    const hung: ServerResponse[] = [];
    const server = createServer((_req, res) => {
      hung.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new DynamoDBClient({
      ...sdkClientConfig({ awsCallTimeoutMs: 300, awsMaxAttempts: 3 }),
      endpoint: `http://127.0.0.1:${port}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const { handler } = await setUp({
        dynamoClient: client,
        timing: { awsCallBudgetMs: 500, awsCallTimeoutMs: 300 },
      });

      // Act
      const started = Date.now();
      const result = await handler(signIn());

      // Assess
      expect(Date.now() - started).toBeLessThan(800);
      expect(result).toEqual(loadEvent(SIGN_IN));
      expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
      const failed = engines.output.jsonLines().find((line) => line.message === FAILED);
      expect(failed).toMatchObject({ level: "ERROR", sub: ALEX_SUB });
      expect(JSON.stringify(failed)).toContain("DeadlineExceededError");
    } finally {
      client.destroy();
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 10_000);

  it.each([
    [
      "another trigger's event",
      (e: Record<string, unknown>) => ({ ...e, triggerSource: "PostConfirmation_ConfirmSignUp" }),
    ],
    [
      "no sub",
      (e: Record<string, unknown>) => ({ ...e, request: { userAttributes: { email: "a@b.c" } } }),
    ],
    ["no request", (e: Record<string, unknown>) => ({ ...e, request: null })],
  ])(
    "a malformed event (%s) fails with the generic message and makes no call",
    async (_name, mutate) => {
      // Prepare
      const { table, handler } = await setUp();
      const dynamoCalls = spyOnDynamo();
      const event = mutate(signIn() as unknown as Record<string, unknown>);

      // Act
      const invocation = handler(event as unknown as PostAuthenticationTriggerEvent);

      // Assess
      await expect(invocation).rejects.toThrow(new Error(GENERIC_ERROR_MESSAGE));
      expect(engines.output.jsonLines().find((l) => l.message === "Trigger failed")).toMatchObject({
        errorType: "InvalidEventError",
      });
      expect(dynamoCalls()).toEqual([]);
      expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
      expect(await engines.scan(table)).toEqual([]);
    },
  );
});

describe("functions/post-authentication (cold start from the environment, local mode)", () => {
  type Handler = (e: PostAuthenticationTriggerEvent, c: Context, cb: Callback) => Promise<unknown>;
  const savedEnv = { ...process.env };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "post-authentication-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    process.env = { ...savedEnv };
  });

  it("with no endpoint: the JSON-lines stand-in gets one profile over two sign-ins", async () => {
    // Prepare
    const file = join(dir, "profiles.jsonl");
    process.env = {
      ...savedEnv,
      IS_LOCAL: "true",
      PROFILE_TABLE_NAME: "cognito-triggers-dev-profiles",
      DEFAULT_GROUP: "members",
      LOCAL_PROFILE_FILE: file,
    };
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      handler = (require("../../functions/post-authentication") as { handler: Handler }).handler;
    });
    if (handler === undefined) throw new Error("no handler");

    // Act
    await handler(signIn(), {} as Context, () => undefined);
    await handler(signIn(), {} as Context, () => undefined);

    // Assess
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      sub: ALEX_SUB,
      provisionedBy: "post-authentication",
    });
    const groupLogs = engines.output
      .jsonLines()
      .filter((l) => l.message === "LOCAL stand-in: AdminAddUserToGroup not sent");
    expect(groupLogs).toHaveLength(1);
  });
});
