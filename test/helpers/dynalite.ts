/**
 * A real DynamoDB engine for the tests: dynalite, in-process, on a free loopback
 * port, with a real DynamoDBClient pointed at it (dummy credentials; dynalite
 * ignores them). Start it in beforeAll and stop it in afterAll.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { attemptsTableDefinition } from "../../shared/lockout/dynamodb-attempt-store";
import { profileTableDefinition } from "../../shared/provisioning/profiles";

type DynaliteFactory = (options: { createTableMs: number }) => Server;
// dynalite ships no type declarations; its factory returns a plain http.Server.
const dynalite = require("dynalite") as DynaliteFactory;

/** A running dynalite and a client for it. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Create a table from its definition (ready at once: createTableMs is 0). */
  createTable(definition: CreateTableCommandInput): Promise<void>;
  /** Create a profile table called `name` (post-confirmation's definition, as serverless.yml's). */
  createProfileTable(name: string): Promise<void>;
  /** Create a custom-auth attempts table called `name` (the definition serverless.yml's is checked against). */
  createAttemptsTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Create a table and wait until it is ACTIVE: even with createTableMs 0, dynalite marks it
 * active on a later tick, and a call in between (a loaded machine) gets ResourceNotFoundException.
 */
async function createActive(client: DynamoDBClient, definition: CreateTableCommandInput) {
  await client.send(new CreateTableCommand(definition));
  for (let i = 0; i < 200; i++) {
    const out = await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
    if (out.Table?.TableStatus === "ACTIVE") return;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  throw new Error(`table ${definition.TableName} did not become ACTIVE`);
}

/** Start dynalite on 127.0.0.1 and a free port. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    createTable: (definition) => createActive(client, definition),
    createProfileTable: (name) => createActive(client, profileTableDefinition(name)),
    createAttemptsTable: (name) => createActive(client, attemptsTableDefinition(name)),
    async stop() {
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
