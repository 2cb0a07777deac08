/**
 * The cross-sign-in failure counters: the DynamoDB store against a real engine (dynalite,
 * in-process), its error classes, the local JSON-file stand-in, the choice of store, and the
 * table definition checked against serverless.yml's CustomAuthAttemptsTable.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { readServerlessYml } from "../../scripts/local-env";
import { Deadline, DeadlineExceededError } from "../../shared/aws/clients";
import { loadCommonConfig } from "../../shared/config/common";
import { loadCreateAuthConfig } from "../../shared/custom-auth/config";
import { DependencyError } from "../../shared/errors";
import { createAttemptStore } from "../../shared/lockout/adapters";
import {
  type AttemptStore,
  AttemptStoreMisconfiguredError,
  AttemptStoreUnavailableError,
  attemptsKey,
} from "../../shared/lockout/attempt-store";
import { failsOpen, isLockedOut } from "../../shared/lockout/decide";
import {
  ATTEMPTS_KEY,
  attemptsTableDefinition,
  dynamoAttemptStore,
  FAILURES_ATTRIBUTE,
  TTL_ATTRIBUTE,
} from "../../shared/lockout/dynamodb-attempt-store";
import { localFileAttemptStore } from "../../shared/lockout/local-attempt-store";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";

const ROOT = resolve(__dirname, "..", "..");
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const NOW_S = NOW / 1000;
const KEY = attemptsKey("eu-west-1_TESTPOOL", "11111111-2222-3333-4444-555555555555");

let dynamo: LocalDynamo;
let tables = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});

/** A DynamoDB store over a fresh table. */
async function freshStore(): Promise<{ store: AttemptStore; table: string }> {
  tables += 1;
  const table = `attempts-${tables}`;
  await dynamo.createAttemptsTable(table);
  return { store: dynamoAttemptStore(dynamo.client, table), table };
}

/** A client whose every call fails with an SDK-style error called `name`. */
function failingClient(name: string) {
  return {
    send: jest.fn(async () => {
      throw Object.assign(new Error(`${name} from the service`), { name });
    }),
  };
}

describe.each<[string, () => Promise<AttemptStore>]>([
  ["DynamoDB (dynalite)", async () => (await freshStore()).store],
  [
    "local JSON file",
    async () => localFileAttemptStore(join(mkdtempSync(join(tmpdir(), "attempts-")), "a.json")),
  ],
])("AttemptStore: %s", (_name, makeStore) => {
  it("counts failures in a window that starts at the first one and is not extended", async () => {
    // Prepare
    const store = await makeStore();

    // Act
    const first = await store.recordFailure(KEY, NOW, 900);
    const second = await store.recordFailure(KEY, NOW + 600_000, 900);
    const read = await store.read(KEY, NOW + 600_000);

    // Assess
    expect(first).toEqual({ failures: 1, windowEndsAt: NOW_S + 900 });
    expect(second).toEqual({ failures: 2, windowEndsAt: NOW_S + 900 });
    expect(read).toEqual(second);
  });

  it("counts per user: another key (or pool) has its own counter", async () => {
    const store = await makeStore();

    await store.recordFailure(KEY, NOW, 900);
    await store.recordFailure(attemptsKey("eu-west-1_OTHER", "x"), NOW, 900);

    expect(await store.read(KEY, NOW)).toEqual({ failures: 1, windowEndsAt: NOW_S + 900 });
    expect(await store.read(attemptsKey("eu-west-1_TESTPOOL", "nobody"), NOW)).toBeUndefined();
  });

  it("a passed window reads as absent and the next failure starts a new one at 1", async () => {
    // Prepare: three failures, then the window passes (TTL has not deleted the item yet).
    const store = await makeStore();
    for (let i = 0; i < 3; i++) await store.recordFailure(KEY, NOW, 900);
    const later = NOW + 900_000;

    // Act
    const stale = await store.read(KEY, later);
    const restarted = await store.recordFailure(KEY, later, 900);

    // Assess
    expect(stale).toBeUndefined();
    expect(restarted).toEqual({ failures: 1, windowEndsAt: NOW_S + 1800 });
  });

  it("clearUnlessLocked deletes a counter under the threshold, keeps one at it", async () => {
    // Prepare
    const store = await makeStore();
    const other = attemptsKey("eu-west-1_TESTPOOL", "other");
    for (let i = 0; i < 2; i++) await store.recordFailure(KEY, NOW, 900);
    for (let i = 0; i < 3; i++) await store.recordFailure(other, NOW, 900);

    // Act
    const under = await store.clearUnlessLocked(KEY, NOW, 3);
    const at = await store.clearUnlessLocked(other, NOW, 3);
    const none = await store.clearUnlessLocked(attemptsKey("p", "never-failed"), NOW, 3);

    // Assess
    expect([under, at, none]).toEqual(["cleared", "locked", "cleared"]);
    expect(await store.read(KEY, NOW)).toBeUndefined();
    expect(await store.read(other, NOW)).toEqual({ failures: 3, windowEndsAt: NOW_S + 900 });
  });

  it("clearUnlessLocked clears a locked counter once its window has passed", async () => {
    const store = await makeStore();
    for (let i = 0; i < 5; i++) await store.recordFailure(KEY, NOW, 900);

    const outcome = await store.clearUnlessLocked(KEY, NOW + 900_000, 3);

    expect(outcome).toBe("cleared");
    expect(await store.recordFailure(KEY, NOW + 900_000, 900)).toMatchObject({ failures: 1 });
  });
});

describe("dynamoAttemptStore against dynalite", () => {
  it("writes one item per user: the key, the count and the TTL attribute in epoch seconds", async () => {
    // Prepare
    const { store, table } = await freshStore();

    // Act
    await store.recordFailure(KEY, NOW, 900);
    const item = await dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { [ATTEMPTS_KEY]: { S: KEY } } }),
    );

    // Assess
    expect(item.Item).toEqual({
      [ATTEMPTS_KEY]: { S: KEY },
      [FAILURES_ATTRIBUTE]: { N: "1" },
      [TTL_ATTRIBUTE]: { N: String(NOW_S + 900) },
    });
  });

  it("counts concurrent failures atomically: every one counted, exactly one sees each count", async () => {
    // Prepare
    const { store } = await freshStore();

    // Act: 25 wrong answers at once, as from 25 parallel sign-ins.
    const results = await Promise.all(
      Array.from({ length: 25 }, () => store.recordFailure(KEY, NOW, 900)),
    );

    // Assess
    expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(await store.read(KEY, NOW)).toEqual({ failures: 25, windowEndsAt: NOW_S + 900 });
  });

  it("concurrent failures after a passed window restart it once and all count", async () => {
    // Prepare
    const { store } = await freshStore();
    for (let i = 0; i < 4; i++) await store.recordFailure(KEY, NOW, 900);
    const later = NOW + 1_000_000;

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.recordFailure(KEY, later, 900)),
    );

    // Assess
    expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(new Set(results.map((r) => r.windowEndsAt))).toEqual(new Set([NOW_S + 1000 + 900]));
  });

  it("a missing table is a misconfiguration (fail closed), for every operation", async () => {
    // Prepare
    const store = dynamoAttemptStore(dynamo.client, "no-such-table");

    // Act
    const errors = await Promise.all([
      store.read(KEY, NOW).catch((e: unknown) => e),
      store.recordFailure(KEY, NOW, 900).catch((e: unknown) => e),
      store.clearUnlessLocked(KEY, NOW, 3).catch((e: unknown) => e),
    ]);

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(AttemptStoreMisconfiguredError);
      expect((error as Error).message).toMatch(
        /\(no-such-table\) failed: ResourceNotFoundException/,
      );
      expect(failsOpen(error)).toBe(false);
    }
  });

  it.each([
    ["AccessDeniedException", "misconfigured (fail closed)"],
    ["ValidationException", "misconfigured (fail closed)"],
    ["UnrecognizedClientException", "misconfigured (fail closed)"],
    ["ThrottlingException", "unavailable (fail open)"],
    ["ProvisionedThroughputExceededException", "unavailable (fail open)"],
    ["InternalServerError", "unavailable (fail open)"],
    ["TimeoutError", "unavailable (fail open)"],
  ])("%s is %s", async (name, kind) => {
    // Prepare
    const type = kind.startsWith("misconfigured")
      ? AttemptStoreMisconfiguredError
      : AttemptStoreUnavailableError;
    const store = dynamoAttemptStore(failingClient(name) as never, "t");

    // Act
    const errors = await Promise.all([
      store.read(KEY, NOW).catch((e: unknown) => e),
      store.recordFailure(KEY, NOW, 900).catch((e: unknown) => e),
      store.clearUnlessLocked(KEY, NOW, 3).catch((e: unknown) => e),
    ]);

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(type);
      expect(failsOpen(error)).toBe(type === AttemptStoreUnavailableError);
    }
  });

  it("an unreachable engine is unavailable (fail open)", async () => {
    // Prepare: a client pointed at a port nothing listens on.
    const client = new DynamoDBClient({
      endpoint: "http://127.0.0.1:9",
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
    });

    // Act
    const error = await dynamoAttemptStore(client, "t")
      .read(KEY, NOW)
      .catch((e: unknown) => e);
    client.destroy();

    // Assess
    expect(error).toBeInstanceOf(AttemptStoreUnavailableError);
    expect(failsOpen(error)).toBe(true);
  });

  it("stops at the invocation deadline: a hanging call is aborted, no call starts after it", async () => {
    // Prepare: DynamoDB never answers; the call gives up only when its abort signal fires.
    const hanging = {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          options?.abortSignal?.addEventListener("abort", () => {
            reject(Object.assign(new Error("Request aborted"), { name: "AbortError" }));
          });
        }),
    };
    const store = dynamoAttemptStore(hanging as never, "t");
    const deadline = new Deadline(150, 100);
    const started = Date.now();

    // Act
    const stopped = await store.read(KEY, NOW, deadline).catch((e: unknown) => e);
    const notStarted = await store.recordFailure(KEY, NOW, 900, deadline).catch((e: unknown) => e);
    deadline.dispose();

    // Assess
    expect(Date.now() - started).toBeLessThan(2000);
    expect(stopped).toBeInstanceOf(DeadlineExceededError);
    expect(notStarted).toBeInstanceOf(DeadlineExceededError);
    expect(failsOpen(stopped)).toBe(true);
  });
});

describe("localFileAttemptStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "attempts-file-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the counters in one JSON file readable by the owner only", async () => {
    const file = join(dir, "nested", "attempts.json");
    const store = localFileAttemptStore(file);

    await store.recordFailure(KEY, NOW, 900);

    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
      [KEY]: { failures: 1, expiresAt: NOW_S + 900 },
    });
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it("starts again from a broken file instead of failing", async () => {
    const file = join(dir, "attempts.json");
    writeFileSync(file, "{ not json");
    const store = localFileAttemptStore(file);

    expect(await store.read(KEY, NOW)).toBeUndefined();
    expect(await store.recordFailure(KEY, NOW, 900)).toEqual({
      failures: 1,
      windowEndsAt: NOW_S + 900,
    });
  });

  it("an unwritable location is unavailable (fail open), with no key in the message", async () => {
    const blocker = join(dir, "file");
    writeFileSync(blocker, "");
    const store = localFileAttemptStore(join(blocker, "attempts.json"));

    const error = await store.recordFailure(KEY, NOW, 900).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AttemptStoreUnavailableError);
    expect((error as Error).message).not.toContain(KEY);
  });
});

describe("createAttemptStore", () => {
  const base = { CUSTOM_AUTH_ATTEMPTS_TABLE_NAME: "attempts", LOCAL_AUTH_ATTEMPTS_FILE: "/x.json" };

  function build(env: Record<string, string>) {
    const config = loadCreateAuthConfig({ CUSTOM_AUTH_FROM_ADDRESS: "a@example.com", ...env });
    const made: Record<string, unknown>[] = [];
    if (config.lockout === undefined) throw new Error("lockout off");
    const built = createAttemptStore(config.lockout, config.common, (options) => {
      made.push(options);
      return failingClient("unused");
    });
    return { label: built.label, made };
  }

  it("DynamoDB in AWS (bounded SDK options), the endpoint's engine or the file in local mode", () => {
    // Act
    const aws = build({ ...base, LOCAL_MODE: "false" });
    const engine = build({
      ...base,
      IS_LOCAL: "true",
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:4567",
    });
    const file = build({ ...base, IS_LOCAL: "true" });

    // Assess
    expect(aws.label).toBe("dynamodb:attempts");
    expect(aws.made).toEqual([
      expect.objectContaining({
        maxAttempts: 2,
        requestHandler: expect.objectContaining({ requestTimeout: 1500 }),
      }),
    ]);
    expect(aws.made[0]).not.toHaveProperty("endpoint");
    expect(engine.label).toBe("dynamodb:attempts@http://127.0.0.1:4567");
    expect(engine.made).toEqual([
      expect.objectContaining({
        endpoint: "http://127.0.0.1:4567",
        region: "eu-west-1",
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      }),
    ]);
    expect(file).toEqual({ label: "file:/x.json", made: [] });
  });

  it("really builds a DynamoDB client by default", () => {
    const config = loadCreateAuthConfig({ LOCAL_MODE: "true", ...base });
    if (config.lockout === undefined) throw new Error("lockout off");

    const built = createAttemptStore(config.lockout, loadCommonConfig({ LOCAL_MODE: "false" }));

    expect(built.label).toBe("dynamodb:attempts");
  });
});

describe("the lockout decision", () => {
  it.each([
    [undefined, false],
    [{ failures: 9, windowEndsAt: NOW_S + 1 }, false],
    [{ failures: 10, windowEndsAt: NOW_S + 1 }, true],
    [{ failures: 50, windowEndsAt: NOW_S + 1 }, true],
    [{ failures: 50, windowEndsAt: NOW_S }, false],
  ])("%j with threshold 10 -> locked %s", (count, expected) => {
    expect(isLockedOut(count, 10, NOW)).toBe(expected);
  });

  it("fails open for what passes only; closed for misconfiguration and anything unexpected", () => {
    expect(failsOpen(new AttemptStoreUnavailableError("x"))).toBe(true);
    expect(failsOpen(new DeadlineExceededError("x"))).toBe(true);
    expect(failsOpen(new DependencyError("x"))).toBe(true);
    expect(failsOpen(new AttemptStoreMisconfiguredError("x"))).toBe(false);
    expect(failsOpen(new TypeError("bug"))).toBe(false);
    expect(failsOpen("string")).toBe(false);
  });
});

describe("the table definition", () => {
  it("is serverless.yml's CustomAuthAttemptsTable: key, billing, TTL attribute, PITR", () => {
    // Prepare
    const doc = readServerlessYml(ROOT) as {
      resources: {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
    };
    const table = doc.resources.Resources.CustomAuthAttemptsTable;

    // Act
    const definition = attemptsTableDefinition("t");

    // Assess
    expect(table?.Type).toBe("AWS::DynamoDB::Table");
    expect(table?.Properties).toMatchObject({
      AttributeDefinitions: definition.AttributeDefinitions,
      KeySchema: definition.KeySchema,
      BillingMode: definition.BillingMode,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect(String(table?.Properties.TableName)).toContain("param:customAuthAttemptsTableName");
  });
});
