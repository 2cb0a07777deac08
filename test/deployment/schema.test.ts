/**
 * Every packaged variant is valid against AWS's CloudFormation resource specification
 * (`@aws-cdk/aws-service-spec`), and the check finds what CloudFormation would refuse:
 * a misspelled nested property, a wrong enum value, a GetAtt of a missing attribute...
 */
import { type CheckedTemplate, checkTemplate, loadSpec, type Spec } from "./cfn-schema";
import { packageService, ROOT } from "./template";
import { VARIANTS } from "./variants";

// One `serverless package` per variant, one after the other (they share `.serverless/`).
jest.setTimeout(300_000);

let spec: Spec;
const templates = new Map<string, CheckedTemplate>();

beforeAll(async () => {
  spec = loadSpec(ROOT);
  for (const variant of VARIANTS) {
    templates.set(
      variant.name,
      (await packageService(
        { ...variant.params },
        `schema-${variant.name}`,
      )) as unknown as CheckedTemplate,
    );
  }
});

/** Removes the property at its path (instead of setting a value). */
const DELETE = Symbol("delete");

/** A deep copy of the default variant's template with `changes` (dotted path -> value) applied. */
function broken(changes: readonly (readonly [string, unknown])[]): CheckedTemplate {
  const copy = structuredClone(templates.get("created")) as CheckedTemplate;
  for (const [path, value] of changes) {
    const keys = `Resources.${path}`.split(".");
    const last = keys.pop() as string;
    let node = copy as unknown as Record<string, unknown>;
    for (const key of keys) node = node[key] as Record<string, unknown>;
    if (value === DELETE) delete node[last];
    else node[last] = value;
  }
  return copy;
}

const PRE_TOKEN = "UserPool.Properties.LambdaConfig.PreTokenGenerationConfig";

describe("the packaged template against the CloudFormation resource specification", () => {
  test("the specification holds the types and fields this service relies on", () => {
    const pool = spec.resources.get("AWS::Cognito::UserPool");
    expect(pool?.properties).toHaveProperty("LambdaConfig");
    expect(spec.resources.size).toBeGreaterThan(1000);
  });

  test.each(VARIANTS.map((v) => [v.name, v.params] as const))("%s (%j) is valid", (name) => {
    // Act
    const problems = checkTemplate(templates.get(name) as CheckedTemplate, spec);

    // Assess
    expect(problems).toEqual([]);
  });

  test.each([
    [
      "a misspelled nested property",
      [
        [`${PRE_TOKEN}.LambdaVersion`, DELETE],
        [`${PRE_TOKEN}.LambdaVersoin`, "V2_0"],
      ],
      `${PRE_TOKEN}.LambdaVersoin: no such property`,
    ],
    [
      "a wrong enum value",
      [["UserPool.Properties.UserPoolTier", "GOLD"]],
      'UserPool.Properties.UserPoolTier: "GOLD" is not one of LITE, ESSENTIALS, PLUS',
    ],
    [
      "a wrong enum value in either branch of an Fn::If",
      [
        [
          "UserPool.Properties.UserPoolTier",
          { "Fn::If": ["CreateUserPoolDomain", "PLUS", "GOLD"] },
        ],
      ],
      'UserPool.Properties.UserPoolTier<false>: "GOLD" is not one of',
    ],
    [
      "a GetAtt of a missing attribute",
      [
        [
          "UserPool.Properties.LambdaConfig.PreSignUp",
          { "Fn::GetAtt": ["PreSignUpLambdaFunction", "FunctionArn"] },
        ],
      ],
      "Fn::GetAtt PreSignUpLambdaFunction.FunctionArn: AWS::Lambda::Function has no attribute FunctionArn",
    ],
    [
      "a GetAtt of a missing resource",
      [["ProfileTable.Properties.TableName", { "Fn::GetAtt": ["NoSuchTable", "Arn"] }]],
      "Fn::GetAtt of missing resource NoSuchTable",
    ],
    [
      "a Ref to a missing resource",
      [["AdminGroup.Properties.UserPoolId", { Ref: "UserPul" }]],
      "AdminGroup.Properties.UserPoolId: Ref to missing UserPul",
    ],
    [
      "a DependsOn of a missing resource",
      [["UserPoolClient.DependsOn", "ApiResourceServr"]],
      "UserPoolClient: DependsOn missing ApiResourceServr",
    ],
    [
      "a missing required property",
      [["ProfileTable.Properties.KeySchema", DELETE]],
      "ProfileTable.Properties.KeySchema: required, missing",
    ],
    [
      "a wrong primitive type",
      [
        [
          "ProfileTable.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled",
          "yes",
        ],
      ],
      'PointInTimeRecoveryEnabled: expected a boolean, got "yes"',
    ],
    [
      "an unknown resource type",
      [["AdminGroup.Type", "AWS::Cognito::UserPoolGroups"]],
      "AdminGroup: no resource type AWS::Cognito::UserPoolGroups",
    ],
    [
      "a condition that does not exist",
      [["UserPoolDomain.Condition", "CreateUserPoolDomains"]],
      "UserPoolDomain: Condition names missing condition CreateUserPoolDomains",
    ],
  ] as const)("refuses %s", (_what, changes, expected) => {
    // Act
    const problems = checkTemplate(broken(changes), spec);

    // Assess
    expect(problems.filter((p) => p.includes(expected))).toHaveLength(1);
  });
});
