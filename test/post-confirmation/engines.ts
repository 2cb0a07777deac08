/**
 * What both provisioning handlers -- post-confirmation and the post-authentication
 * backstop -- are tested against: dynalite (a real DynamoDB engine, started once per
 * file), a mocked Cognito client that keeps group memberships as a set (adding twice
 * changes nothing, as in Cognito), and the captured log output. Call at the top of a
 * test file: it registers the jest hooks.
 */
import {
  AdminAddUserToGroupCommand,
  type AdminAddUserToGroupCommandInput,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { type AttributeValue, ScanCommand } from "@aws-sdk/client-dynamodb";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { type LocalDynamo, startDynalite } from "../helpers/dynalite";
import { captureOutput } from "../helpers/logs";

/** The engines, valid inside tests (the getters read the current test's state). */
export interface ProvisioningEngines {
  /** The Cognito client the handlers are given; `cognito` stubs it. */
  readonly cognitoClient: CognitoIdentityProviderClient;
  readonly cognito: AwsClientStub<CognitoIdentityProviderClient>;
  readonly dynamo: LocalDynamo;
  readonly output: ReturnType<typeof captureOutput>;
  /** `<pool>/<username>/<group>` of every AdminAddUserToGroup the stub answered. */
  readonly memberships: Set<string>;
  /** A new table name with `prefix`, created unless `create` is false. */
  table(prefix: string, create?: boolean): Promise<string>;
  /** Every item of `table`. */
  scan(table: string): Promise<Record<string, AttributeValue>[]>;
}

/** Register the hooks and return the engines. */
export function useProvisioningEngines(): ProvisioningEngines {
  const cognitoClient = new CognitoIdentityProviderClient({
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const cognito = mockClient(cognitoClient);
  let dynamo: LocalDynamo | undefined;
  let output: ReturnType<typeof captureOutput> | undefined;
  let memberships = new Set<string>();
  let tables = 0;

  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });
  beforeEach(() => {
    output = captureOutput();
    memberships = new Set();
    cognito.reset();
    cognito.on(AdminAddUserToGroupCommand).callsFake((input: AdminAddUserToGroupCommandInput) => {
      memberships.add(`${input.UserPoolId}/${input.Username}/${input.GroupName}`);
      return {};
    });
  });
  afterEach(() => {
    output?.restore();
    cognito.reset();
  });

  const started = (): LocalDynamo => {
    if (!dynamo) throw new Error("dynalite is not started (use the engines inside tests)");
    return dynamo;
  };
  return {
    cognitoClient,
    cognito,
    get dynamo() {
      return started();
    },
    get output() {
      if (!output) throw new Error("no output captured (use the engines inside tests)");
      return output;
    },
    get memberships() {
      return memberships;
    },
    async table(prefix, create = true) {
      tables += 1;
      const name = `${prefix}-${tables}`;
      if (create) await started().createProfileTable(name);
      return name;
    },
    async scan(table) {
      const result = await started().client.send(new ScanCommand({ TableName: table }));
      return result.Items ?? [];
    },
  };
}
