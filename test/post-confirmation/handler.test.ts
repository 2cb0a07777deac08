/**
 * The post-confirmation handler against a real DynamoDB engine (dynalite, in-process)
 * and a mocked Cognito client: records, the conditional write, retries, failures.
 */

import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { type CallTiming, sdkClientConfig } from "../../shared/aws/clients";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import type { PostConfirmationTriggerEvent } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import { createPostConfirmationHandler } from "../../shared/post-confirmation/handler";
import { cognitoGroupMembership } from "../../shared/provisioning/groups";
import { dynamoProfileStore, fromItem, toItem } from "../../shared/provisioning/profiles";
import { loadEvent } from "../helpers/events";
import { useProvisioningEngines } from "./engines";

const engines = useProvisioningEngines();
const { cognitoClient, cognito } = engines;

const SIGNUP = "post-confirmation-confirm-signup";
const FEDERATED = "post-confirmation-federated";
const FORGOT = "post-confirmation-forgot-password";
const JANE_SUB = "8f2e1a3c-1111-4a5b-9c9d-0123456789ab";

/** A handler over a fresh table; the clock moves one minute per invocation. */
async function setUp({
  createTable = true,
  client = cognitoClient,
  timing,
}: {
  createTable?: boolean;
  client?: CognitoIdentityProviderClient;
  timing?: CallTiming;
} = {}) {
  const table = await engines.table("profiles", createTable);
  let minutes = 0;
  const handler = createPostConfirmationHandler({
    config: { defaultGroup: "members", groupByEmailDomain: { "example.com": "staff" } },
    logger: createLogger("postConfirmation"),
    groups: cognitoGroupMembership(client),
    profiles: dynamoProfileStore(engines.dynamo.client, table),
    now: () => new Date(Date.UTC(2026, 10, 22, 12, minutes++)),
    ...(timing ? { timing } : {}),
  });
  return { table, handler };
}

describe("post-confirmation on ConfirmSignUp", () => {
  it("writes the profile record and adds the default and rule-chosen groups", async () => {
    // Prepare
    const { table, handler } = await setUp();
    const event = loadEvent<PostConfirmationTriggerEvent>(SIGNUP);

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual(loadEvent(SIGNUP));
    const items = await engines.scan(table);
    expect(items.map(fromItem)).toEqual([
      {
        sub: JANE_SUB,
        username: JANE_SUB,
        userPoolId: "eu-west-1_AbCdEf123",
        email: "jane.doe@example.com",
        name: "Jane Doe",
        createdAt: "2026-11-22T12:00:00.000Z",
        source: "native",
      },
    ]);
    expect([...engines.memberships].sort()).toEqual([
      `eu-west-1_AbCdEf123/${JANE_SUB}/members`,
      `eu-west-1_AbCdEf123/${JANE_SUB}/staff`,
    ]);
    const done = engines.output
      .jsonLines()
      .find((line) => line.message === "Post-confirmation done");
    expect(done).toMatchObject({ sub: JANE_SUB, profile: "created", source: "native" });
  });

  it("records a federated user's provider and gives no domain group for an unverified email", async () => {
    // Prepare
    const { table, handler } = await setUp();

    // Act
    await handler(loadEvent<PostConfirmationTriggerEvent>(FEDERATED));

    // Assess
    const [item] = (await engines.scan(table)).map(fromItem);
    expect(item).toMatchObject({
      sub: "2c7d9e10-2222-4f6a-8b1c-abcdef012345",
      username: "Google_109876543210987654321",
      name: "Sam Lee",
      source: "federated",
      provider: "Google",
    });
    expect([...engines.memberships]).toEqual([
      "eu-west-1_AbCdEf123/Google_109876543210987654321/members",
    ]);
  });

  it("is idempotent: the same event three times gives one item, unchanged, and one membership each", async () => {
    // Prepare
    const { table, handler } = await setUp();

    // Act
    await handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));
    const afterFirst = await engines.scan(table);
    await handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));
    await handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));

    // Assess: the later calls ran at later clock times, yet the item is the first one.
    const afterThird = await engines.scan(table);
    expect(afterFirst).toHaveLength(1);
    expect(afterThird).toEqual(afterFirst);
    expect(afterThird[0]?.createdAt).toEqual({ S: "2026-11-22T12:00:00.000Z" });
    expect(engines.memberships.size).toBe(2);
    const outcomes = engines.output
      .jsonLines()
      .filter((line) => line.message === "Post-confirmation done")
      .map((line) => line.profile);
    expect(outcomes).toEqual(["created", "exists", "exists"]);
  });

  it("is idempotent under concurrent retries too (the conditional put decides)", async () => {
    // Prepare
    const { table, handler } = await setUp();

    // Act
    const results = await Promise.all(
      [1, 2, 3].map(() => handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP))),
    );

    // Assess
    expect(results).toHaveLength(3);
    expect(await engines.scan(table)).toHaveLength(1);
  });

  it("does not overwrite a record that exists already with newer data", async () => {
    // Prepare: the profile was written, then updated by the application.
    const { table, handler } = await setUp();
    const newer = {
      ...toItem({
        sub: JANE_SUB,
        username: JANE_SUB,
        userPoolId: "eu-west-1_AbCdEf123",
        email: "jane@new.example.org",
        name: "Jane Q. Doe",
        createdAt: "2026-01-01T00:00:00.000Z",
        source: "native",
      }),
      plan: { S: "premium" },
    };
    await engines.dynamo.client.send(new PutItemCommand({ TableName: table, Item: newer }));

    // Act
    await handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));

    // Assess
    expect(await engines.scan(table)).toEqual([newer]);
  });

  it("fails with the generic message, and logs the cause, when the table write fails", async () => {
    // Prepare: the table does not exist, so PutItem fails with ResourceNotFoundException.
    const { table, handler } = await setUp({ createTable: false });

    // Act
    const invocation = handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));

    // Assess
    await expect(invocation).rejects.toThrow(new Error(GENERIC_ERROR_MESSAGE));
    const failed = engines.output.jsonLines().find((line) => line.message === "Trigger failed");
    expect(failed).toMatchObject({ errorType: "DependencyError" });
    expect(JSON.stringify(failed)).toContain('"name":"ResourceNotFoundException"');
    const stepLog = engines.output
      .jsonLines()
      .find((l) => l.message === "Post-confirmation step failed");
    expect(stepLog).toMatchObject({ step: "PutItem(profile)" });
    expect(JSON.stringify(stepLog)).toContain(
      `PutItem(${table}) failed: ResourceNotFoundException`,
    );
  });

  it("fails when a group call fails, writes no profile until the groups are done, and succeeds on Cognito's retry", async () => {
    // Prepare: the first group call is throttled.
    const { table, handler } = await setUp();
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "TooManyRequestsException",
    });
    cognito.on(AdminAddUserToGroupCommand).rejectsOnce(throttled);

    // Act
    const first = handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));
    await expect(first).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    // A profile means "fully provisioned" (the backstop relies on it): none yet.
    expect(await engines.scan(table)).toEqual([]);
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const retry = await handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));

    // Assess
    expect(retry.triggerSource).toBe("PostConfirmation_ConfirmSignUp");
    expect(await engines.scan(table)).toHaveLength(1);
    expect(engines.output.text()).toContain("TooManyRequestsException");
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).length).toBeGreaterThanOrEqual(3);
  });

  it("refuses an event without a sub and writes nothing", async () => {
    // Prepare
    const { table, handler } = await setUp();
    const event = loadEvent<PostConfirmationTriggerEvent>(SIGNUP);
    delete event.request.userAttributes.sub;

    // Act
    const invocation = handler(event);

    // Assess
    await expect(invocation).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(await engines.scan(table)).toEqual([]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
  });
});

describe("post-confirmation on ConfirmForgotPassword", () => {
  it("returns the event unchanged, touches nothing, and logs the skip", async () => {
    // Prepare
    const { table, handler } = await setUp();

    // Act
    const result = await handler(loadEvent<PostConfirmationTriggerEvent>(FORGOT));

    // Assess
    expect(result).toEqual(loadEvent(FORGOT));
    expect(await engines.scan(table)).toEqual([]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
    const skipped = engines.output
      .jsonLines()
      .find((l) => l.message === "Post-confirmation skipped");
    expect(skipped).toMatchObject({ triggerSource: "PostConfirmation_ConfirmForgotPassword" });
  });
});

describe("post-confirmation: one deadline for the invocation's AWS calls", () => {
  it("passes every call the invocation's abort signal and a capped per-attempt timeout", async () => {
    // Prepare
    const { handler } = await setUp();

    // Act
    await handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));

    // Assess: both group calls got the same signal, aborted once the invocation ended.
    const options = cognito
      .calls()
      .map(
        (call) =>
          (call.args as unknown[])[1] as { abortSignal?: AbortSignal; requestTimeout?: number },
      );
    expect(options).toHaveLength(2);
    expect(options[0]?.abortSignal).toBeInstanceOf(AbortSignal);
    expect(options[1]?.abortSignal).toBe(options[0]?.abortSignal);
    expect(options[0]?.abortSignal?.aborted).toBe(true);
    for (const option of options) expect(option.requestTimeout).toBeLessThanOrEqual(1500);
  });

  it("starts no call when the Lambda has too little time left", async () => {
    // Prepare
    const { table, handler } = await setUp();
    const context = { getRemainingTimeInMillis: () => 300 } as never;

    // Act
    const invocation = handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP), context);

    // Assess
    await expect(invocation).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(cognito.calls()).toHaveLength(0);
    expect(await engines.scan(table)).toEqual([]);
  });

  it("stops a hung group call and its retries at the deadline, with the generic message", async () => {
    // Prepare: a Cognito endpoint that never answers; 3 attempts of 300 ms would take 1 s.
    const hung: ServerResponse[] = [];
    const server = createServer((_req, res) => {
      hung.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = new CognitoIdentityProviderClient({
      ...sdkClientConfig({ awsCallTimeoutMs: 300, awsMaxAttempts: 3 }),
      endpoint: `http://127.0.0.1:${port}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    try {
      const { table, handler } = await setUp({
        client,
        timing: { awsCallBudgetMs: 500, awsCallTimeoutMs: 300 },
      });

      // Act
      const started = Date.now();
      const invocation = handler(loadEvent<PostConfirmationTriggerEvent>(SIGNUP));

      // Assess
      await expect(invocation).rejects.toThrow(GENERIC_ERROR_MESSAGE);
      expect(Date.now() - started).toBeLessThan(800);
      // The group call never finished: no profile (it would mark the user as provisioned).
      expect(await engines.scan(table)).toEqual([]);
      const step = engines.output
        .jsonLines()
        .find((l) => l.message === "Post-confirmation step failed");
      expect(JSON.stringify(step)).toContain("DeadlineExceededError");
    } finally {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 10_000);
});
