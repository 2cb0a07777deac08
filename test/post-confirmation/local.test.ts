/**
 * Local mode: the JSON-lines stand-in, the choice of adapters, and the function
 * module itself as `npm run invoke` and the local stack load it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import type { Callback, Context, PostConfirmationTriggerEvent } from "aws-lambda";
import { createLogger } from "../../shared/logger";
import { createProvisioningAdapters } from "../../shared/provisioning/adapters";
import { loadProvisioningConfig } from "../../shared/provisioning/config";
import { jsonLinesProfileStore } from "../../shared/provisioning/local";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";
import { loadEvent } from "../helpers/events";
import { captureOutput } from "../helpers/logs";

const PROFILE = {
  sub: "s-1",
  username: "u-1",
  userPoolId: "eu-west-1_Pool",
  createdAt: "2026-11-22T12:00:00.000Z",
  source: "native" as const,
};

let dir: string;
let dynamo: LocalDynamo;
let output: ReturnType<typeof captureOutput>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "post-confirmation-"));
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  rmSync(dir, { recursive: true, force: true });
  process.env = { ...savedEnv };
});

type Handler = (e: PostConfirmationTriggerEvent, c: Context, cb: Callback) => Promise<unknown>;

/** Load functions/post-confirmation.ts afresh (a cold start) with `env`. */
function coldStart(env: Record<string, string>): Handler {
  process.env = { ...savedEnv, ...env };
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = (require("../../functions/post-confirmation") as { handler: Handler }).handler;
  });
  if (handler === undefined) throw new Error("no handler");
  return handler;
}

describe("jsonLinesProfileStore", () => {
  it("appends a profile once per sub and reports later puts as existing", async () => {
    // Prepare
    const file = join(dir, "nested", "profiles.jsonl");
    const store = jsonLinesProfileStore(file);

    // Act
    const outcomes = [
      await store.putIfAbsent(PROFILE),
      await store.putIfAbsent({ ...PROFILE, createdAt: "2027-01-01T00:00:00.000Z" }),
      await store.putIfAbsent({ ...PROFILE, sub: "s-2" }),
    ];

    // Assess
    expect(outcomes).toEqual(["created", "exists", "created"]);
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([PROFILE, { ...PROFILE, sub: "s-2" }]);
  });
});

describe("createProvisioningAdapters", () => {
  it("uses the stand-ins in local mode without endpoints, and AWS otherwise", () => {
    // Prepare
    const logger = createLogger("postConfirmation");
    const base = { PROFILE_TABLE_NAME: "profiles", LOCAL_PROFILE_FILE: join(dir, "p.jsonl") };

    // Act
    const local = createProvisioningAdapters(
      loadProvisioningConfig({ ...base, LOCAL_MODE: "true" }),
      logger,
    );
    const engines = createProvisioningAdapters(
      loadProvisioningConfig({
        ...base,
        IS_LOCAL: "true",
        AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:1",
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: "http://127.0.0.1:2",
      }),
      logger,
    );
    const aws = createProvisioningAdapters(
      loadProvisioningConfig({ ...base, AWS_REGION: "eu-west-1" }),
      logger,
    );

    // Assess
    expect(local.describe).toEqual({ groups: "log", profiles: `file:${join(dir, "p.jsonl")}` });
    expect(engines.describe).toEqual({
      groups: "cognito@http://127.0.0.1:2",
      profiles: "dynamodb:profiles@http://127.0.0.1:1",
    });
    expect(aws.describe).toEqual({ groups: "cognito", profiles: "dynamodb:profiles" });
  });
});

describe("functions/post-confirmation (cold start from the environment)", () => {
  it("with no endpoint: writes the profile to the JSON-lines file and logs the group call", async () => {
    // Prepare
    const file = join(dir, "profiles.jsonl");
    const handler = coldStart({
      IS_LOCAL: "true",
      PROFILE_TABLE_NAME: "cognito-triggers-dev-profiles",
      DEFAULT_GROUP: "members",
      LOCAL_PROFILE_FILE: file,
    });
    const event = loadEvent<PostConfirmationTriggerEvent>("post-confirmation-confirm-signup");

    // Act
    await handler(event, {} as Context, () => undefined);
    await handler(structuredClone(event), {} as Context, () => undefined);

    // Assess
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ sub: event.request.userAttributes.sub });
    const groupLogs = output
      .jsonLines()
      .filter((l) => l.message === "LOCAL stand-in: AdminAddUserToGroup not sent");
    expect(groupLogs).toHaveLength(2);
    expect(groupLogs[0]).toMatchObject({ group: "members" });
  });

  it("with AWS_ENDPOINT_URL_DYNAMODB: writes to that engine (the local stack's dynalite)", async () => {
    // Prepare
    const table = "cognito-triggers-local-profiles";
    await dynamo.createProfileTable(table);
    const handler = coldStart({
      IS_LOCAL: "true",
      PROFILE_TABLE_NAME: table,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    });

    // Act
    await handler(
      loadEvent<PostConfirmationTriggerEvent>("post-confirmation-federated"),
      {} as Context,
      () => undefined,
    );

    // Assess
    const { Items } = await dynamo.client.send(new ScanCommand({ TableName: table }));
    expect(Items).toHaveLength(1);
    expect(Items?.[0]?.provider).toEqual({ S: "Google" });
  });
});
