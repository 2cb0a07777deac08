/**
 * Magic links in the packaged template: off by default (no key, table or grant); on, an
 * ECC_NIST_P256 SIGN_VERIFY key with an alias, the live-links table with TTL (as the tests'
 * definition), kms:Sign and the put for create only, kms:GetPublicKey and the delete for
 * verify only, and the functions' variables. Plus the package-time parameter checks.
 */
import { nonceTableDefinition } from "../../shared/custom-auth/magic-link/dynamodb-live-link-store";
import {
  actionsOf,
  activeResources,
  evaluateConditions,
  getAttTarget,
  packageService,
  resolveIfs,
  resourcesOf,
  runPackage,
  statementsOf,
  type Template,
} from "./template";

jest.setTimeout(240_000);

// The package-time checks (plain CommonJS, loaded by the framework's plugin).
const rules = require("../../plugins/parameter-rules.js") as {
  checkParameters(
    params: Record<string, string>,
    context: { stage: string; region: string },
  ): string[];
};

const ON = {
  customAuthMagicLinks: "true",
  customAuthMagicLinkClientIds: "1example23456789abcdefghij",
  customAuthMagicLinkBaseUrl: "https://app.example.org/sign-in/magic",
};

let off: Template;
let on: Template;
beforeAll(async () => {
  // One after the other: concurrent packages of one service share its .serverless folder.
  off = await packageService({}, "ml-off");
  on = await packageService(ON, "ml-on");
});

/** Every active statement that allows one of `actions`, with the id of the resource holding it. */
function grants(template: Template, actions: RegExp): [string, Record<string, unknown>][] {
  const conditions = evaluateConditions(template);
  return Object.entries(activeResources(template)).flatMap(([id, resource]) =>
    statementsOf(resource)
      .map((st) => resolveIfs(st, conditions) as Record<string, unknown>)
      .filter((st) => st.Effect === "Allow")
      .filter((st) => actionsOf(st).some((a) => typeof a === "string" && actions.test(a)))
      .map((st): [string, Record<string, unknown>] => [id, st]),
  );
}

function environment(template: Template, fn: string): Record<string, unknown> {
  const resource = activeResources(template)[fn];
  const variables = (resource?.Properties?.Environment as { Variables?: unknown })?.Variables;
  return resolveIfs(variables, evaluateConditions(template)) as Record<string, unknown>;
}

describe("magic links in the template", () => {
  test("off by default: no key, alias, table or grant; the functions get empty variables", () => {
    const active = activeResources(off);

    for (const id of [
      "MagicLinkKey",
      "MagicLinkKeyAlias",
      "MagicLinkTable",
      "MagicLinkCreatePolicy",
      "MagicLinkVerifyPolicy",
    ]) {
      expect(active).not.toHaveProperty(id);
    }
    expect(grants(off, /^kms:(Sign|GetPublicKey|\*)$/)).toEqual([]);
    expect(environment(off, "CreateAuthChallengeLambdaFunction")).toMatchObject({
      CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "",
      CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: "",
      CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS: "",
    });
    expect(environment(off, "DefineAuthChallengeLambdaFunction")).toMatchObject({
      CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS: "",
    });
  });

  test("on: an ECC_NIST_P256 signing key, administered by the account only, with an alias", () => {
    const active = activeResources(on);
    const key = active.MagicLinkKey;
    const alias = active.MagicLinkKeyAlias;

    expect(key?.Properties).toMatchObject({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" });
    const policy = key?.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] };
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]?.Principal).toEqual({
      AWS: { "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:root` },
    });
    expect(alias?.Properties).toMatchObject({
      AliasName: "alias/cognito-triggers-dev-magic-links",
      TargetKeyId: { Ref: "MagicLinkKey" },
    });
  });

  test("on: the live-links table has the tests' key and a TTL on expiresAt", () => {
    const table = activeResources(on).MagicLinkTable;
    const definition = nonceTableDefinition("cognito-triggers-dev-magic-links");

    expect(table?.Properties).toMatchObject({
      TableName: definition.TableName,
      KeySchema: definition.KeySchema,
      AttributeDefinitions: definition.AttributeDefinitions,
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
  });

  test("least privilege: kms:Sign and the put for create, kms:GetPublicKey and the delete for verify, nothing else", () => {
    const kms = grants(on, /^kms:/).filter(([, st]) =>
      resourcesOf(st).some((r) => getAttTarget(r) === "MagicLinkKey"),
    );
    const table = grants(on, /^dynamodb:/).filter(([, st]) =>
      resourcesOf(st).some((r) => getAttTarget(r) === "MagicLinkTable"),
    );
    const policyRole = (id: string) =>
      (activeResources(on)[id]?.Properties?.Roles as { Ref: string }[] | undefined)?.[0]?.Ref;

    expect(kms.map(([id, st]) => [id, actionsOf(st)])).toEqual([
      ["MagicLinkCreatePolicy", ["kms:Sign"]],
      ["MagicLinkVerifyPolicy", ["kms:GetPublicKey"]],
    ]);
    expect(table.map(([id, st]) => [id, actionsOf(st)])).toEqual([
      ["MagicLinkCreatePolicy", ["dynamodb:PutItem"]],
      ["MagicLinkVerifyPolicy", ["dynamodb:DeleteItem"]],
    ]);
    expect(policyRole("MagicLinkCreatePolicy")).toBe("CreateAuthChallengeIamRoleLambdaExecution");
    expect(policyRole("MagicLinkVerifyPolicy")).toBe("VerifyAuthChallengeIamRoleLambdaExecution");
    // Only create may sign, whatever the resource.
    expect(grants(on, /^kms:(Sign|\*)$/).map(([id]) => id)).toEqual(["MagicLinkCreatePolicy"]);
  });

  test("on: the functions get the table, the key and the settings", () => {
    const create = environment(on, "CreateAuthChallengeLambdaFunction");
    const verify = environment(on, "VerifyAuthChallengeLambdaFunction");
    const define = environment(on, "DefineAuthChallengeLambdaFunction");

    expect(create).toMatchObject({
      CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "cognito-triggers-dev-magic-links",
      CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: "alias/cognito-triggers-dev-magic-links",
      CUSTOM_AUTH_MAGIC_LINK_BASE_URL: ON.customAuthMagicLinkBaseUrl,
      CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS: ON.customAuthMagicLinkClientIds,
      CUSTOM_AUTH_MAGIC_LINK_TTL_SECONDS: "900",
      CUSTOM_AUTH_MAGIC_LINK_THROTTLE_SECONDS: "60",
    });
    expect(verify).toMatchObject({
      CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "cognito-triggers-dev-magic-links",
      CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: "alias/cognito-triggers-dev-magic-links",
    });
    expect(define.CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS).toBe(ON.customAuthMagicLinkClientIds);
    expect(resolveIfs(on.Outputs?.MagicLinkKeyArn?.Value, evaluateConditions(on))).toEqual({
      "Fn::GetAtt": ["MagicLinkKey", "Arn"],
    });
  });
});

test("triggers without customAuth: magic links stay off even when switched on", async () => {
  const template = await packageService({ ...ON, triggers: "preSignUp" }, "ml-no-custom-auth");

  expect(activeResources(template)).not.toHaveProperty("MagicLinkKey");
  expect(grants(template, /^kms:(Sign|GetPublicKey)$/)).toEqual([]);
});

describe("magic-link parameters at package time", () => {
  const DEV = { stage: "dev", region: "eu-west-1" };

  test.each<[string, Record<string, string>, string]>([
    [
      "an http base URL",
      { ...ON, customAuthMagicLinkBaseUrl: "http://app.example.org/" },
      "Invalid parameter customAuthMagicLinkBaseUrl",
    ],
    [
      "a base URL with a fragment",
      { ...ON, customAuthMagicLinkBaseUrl: "https://app.example.org/#x" },
      "Invalid parameter customAuthMagicLinkBaseUrl",
    ],
    [
      "no base URL while on",
      { ...ON, customAuthMagicLinkBaseUrl: "" },
      'Invalid parameter customAuthMagicLinkBaseUrl=""',
    ],
    [
      "client ids while off",
      { customAuthMagicLinkClientIds: "abc" },
      'Invalid parameter customAuthMagicLinks=""',
    ],
    [
      "magic-link in the default flows while off",
      { customAuthMagicLinks: "false", customAuthDefaultFlows: "password-code,magic-link" },
      'Invalid parameter customAuthMagicLinks="false"',
    ],
    [
      "a TTL above 900",
      { ...ON, customAuthMagicLinkTtlSeconds: "3600" },
      "Invalid parameter customAuthMagicLinkTtlSeconds",
    ],
  ])("the rules refuse %s, naming the parameter", (_name, params, message) => {
    const problems = rules.checkParameters(params, DEV);

    expect(problems.join("\n")).toContain(message);
  });

  test("the rules accept magic links off, and a complete setup", () => {
    expect(rules.checkParameters({ customAuthMagicLinks: "false" }, DEV)).toEqual([]);
    expect(rules.checkParameters(ON, DEV)).toEqual([]);
  });

  test("serverless package stops on a bad one before building anything", async () => {
    const { code, output } = await runPackage(
      { ...ON, customAuthMagicLinkBaseUrl: "http://app.example.org/" },
      "ml-bad",
    );

    expect(code).not.toBe(0);
    expect(output).toContain("Invalid parameter customAuthMagicLinkBaseUrl");
  });
});
