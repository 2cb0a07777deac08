/**
 * Bad parameters fail at package time, naming the parameter and what it allows
 * (plugins/parameter-rules.js, run by the local plugin plugins/validate-parameters.js).
 */
import { readServerlessYml } from "../../scripts/local-env";
import { ROOT, runPackage } from "./template";

// Each failing run stops before bundling: a framework start, 2-3 s.
jest.setTimeout(120_000);

type Check = (
  params: Record<string, unknown>,
  where: { stage: string; region: string },
) => string[];
// The rules are CommonJS: the framework loads the same file.
const rules = require("../../plugins/parameter-rules.js") as {
  RULES: Record<string, unknown>;
  checkParameters: Check;
};
const DEV = { stage: "dev", region: "eu-west-1" };
const PROD = { stage: "prod", region: "eu-west-1" };

describe("parameter rules", () => {
  test("serverless.yml's defaults pass on the dev stage", () => {
    // Prepare
    const doc = readServerlessYml(ROOT) as { params: { default: Record<string, unknown> } };

    // Act + Assess
    expect(rules.checkParameters(doc.params.default, DEV)).toEqual([]);
  });

  test("every rule names a parameter serverless.yml declares", () => {
    const doc = readServerlessYml(ROOT) as { params: { default: Record<string, unknown> } };
    const undeclared = Object.keys(rules.RULES).filter((name) => !(name in doc.params.default));
    expect(undeclared).toEqual([]);
  });

  test.each([
    ["preTokenLambdaVersion", "V4_0", DEV, "allowed values: V2_0, V3_0"],
    ["preTokenLambdaVersion", "V1_0", DEV, "allowed values: V2_0, V3_0"],
    ["existingUserPoolId", "not-a-pool", DEV, "a user pool id <region>_<id>"],
    ["existingUserPoolId", "us-east-1_AbCdEf123", DEV, "a pool in the stack's region eu-west-1"],
    ["authorizerClientIds", "abc,has space", DEV, 'app client ids (not "has space")'],
    ["customAuthPasswordlessClientIds", "ok1,bad/id", DEV, 'app client ids (not "bad/id")'],
    ["authorizerCacheTtlSeconds", "3601", DEV, "an integer from 0 to 3600"],
    ["passwordMinimumLength", "7", DEV, "an integer from 8 to 99"],
    ["customAuthLockoutThreshold", "0", DEV, "an integer from 1 to 100"],
    ["customAuthLockoutWindowSeconds", "1.5", DEV, "an integer from 60 to 86400"],
    ["customAuthCodeLength", "12", DEV, "an integer from 6 to 10"],
    ["logRetentionDays", "31", DEV, "1, 3, 5, 7, 14, 30"],
    ["userPoolTier", "GOLD", DEV, "LITE, ESSENTIALS, PLUS"],
    ["userPoolDomainPrefix", "my-cognito-login", DEV, "without aws, amazon or cognito"],
    ["postAuthenticationBackstop", "yes", DEV, "allowed values: true, false"],
    ["customAuthSenderIdentity", "example.com", PROD, "accepted on stages dev, local only"],
    ["customAuthSenderIdentity", "mail.example.com", PROD, "accepted on stages dev, local only"],
    ["customAuthFromAddress", "no-reply@example.com", PROD, "accepted on stages dev, local only"],
  ])("%s=%j is refused (%j)", (name, value, where, allowed) => {
    // Act
    const problems = rules.checkParameters({ [name]: value }, where);

    // Assess
    expect(problems).toEqual([
      expect.stringContaining(`Invalid parameter ${name}=${JSON.stringify(value)}: `),
    ]);
    expect(problems[0]).toContain(allowed);
  });

  test.each([
    ["existingUserPoolId", "eu-west-1_AbCdEf123", DEV],
    ["existingUserPoolId", "", DEV],
    ["authorizerClientIds", "4p1ab2cd3ef4gh5ij6kl7mn8op, 1example23456789", DEV],
    ["customAuthSenderIdentity", "example.com", DEV],
    ["customAuthSenderIdentity", "mail.example.org", PROD],
    ["customAuthFromAddress", "no-reply@mail.example.org", PROD],
    ["preTokenLambdaVersion", "V3_0", DEV],
    ["logRetentionDays", "365", DEV],
  ])("%s=%j is accepted", (name, value, where) => {
    expect(rules.checkParameters({ [name]: value }, where)).toEqual([]);
  });
});

describe("serverless package with bad parameters", () => {
  test.each([
    [
      { preTokenLambdaVersion: "V4_0" },
      "dev",
      'preTokenLambdaVersion="V4_0": allowed values: V2_0, V3_0',
    ],
    [{ existingUserPoolId: "not-a-pool" }, "dev", 'existingUserPoolId="not-a-pool"'],
    [{}, "prod", 'customAuthSenderIdentity="example.com"'],
  ])("%j on stage %s fails naming the parameter", async (params, stage, expected) => {
    // Act
    const { code, output } = await runPackage(params, `bad-${stage}`, stage);

    // Assess
    expect(code).not.toBe(0);
    expect(output).toContain(`Invalid parameter ${expected}`);
  });
});
