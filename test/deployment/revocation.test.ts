/**
 * Revocation in the packaged template (parameter `revocation`, resources/revocation.yml): off
 * by default (no table, rule or grant; the authorizer's check off); on, the table with its TTL,
 * the EventBridge rule on exactly the events the writer handles, the invoke permission from that
 * rule only, and least-privilege grants for the writer and the authorizer.
 */
import { REVOCATION_EVENT_NAMES } from "../../shared/revocation/event";
import {
  actionsOf,
  activeResources,
  getAttTarget,
  packageService,
  type Resource,
  statementsOf,
  type Template,
} from "./template";
import { VARIANTS } from "./variants";

jest.setTimeout(180_000);

let off: Template;
let on: Template;
beforeAll(async () => {
  const variant = VARIANTS.find((v) => v.name === "created-revocation");
  // One after the other: concurrent packages of one service share its .serverless folder.
  off = await packageService({}, "revocation-off");
  on = await packageService({ ...variant?.params }, "revocation-on");
});

const env = (t: Template, fn: string) =>
  ((activeResources(t)[fn]?.Properties?.Environment as { Variables: Record<string, unknown> })
    ?.Variables ?? {}) as Record<string, unknown>;

/** Allowed actions of the policies attached to `role` (besides the role's own statements). */
function attachedActions(active: Record<string, Resource>, role: string): unknown[] {
  return Object.values(active)
    .filter((r) => r.Type === "AWS::IAM::Policy")
    .filter((r) => JSON.stringify(r.Properties?.Roles ?? []).includes(`"${role}"`))
    .flatMap(statementsOf)
    .filter((s) => s.Effect === "Allow")
    .flatMap(actionsOf);
}

describe("revocation in the template", () => {
  test("off by default: no table, rule, permission or grant; the authorizer's check off", () => {
    const active = activeResources(off);
    const ids = Object.keys(active).filter((id) => /Revocation/.test(id));
    expect(
      ids.filter((id) => !id.endsWith("LambdaFunction") && !/LogGroup|IamRole/.test(id)),
    ).toEqual([]);
    expect(env(off, "AuthorizerLambdaFunction").AUTHORIZER_REVOCATION_TABLE_NAME).toBe("");
    expect(attachedActions(active, "RevocationWriterIamRoleLambdaExecution")).toEqual([]);
    expect(attachedActions(active, "AuthorizerIamRoleLambdaExecution")).toEqual([]);
  });

  test("on: the table (key sub, TTL on expiresAt, on demand) the authorizer reads", () => {
    const active = activeResources(on);
    const table = active.RevocationTable?.Properties ?? {};
    expect(table).toMatchObject({
      TableName: "cognito-triggers-dev-revocations",
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "sub", KeyType: "HASH" }],
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
    expect(env(on, "AuthorizerLambdaFunction")).toMatchObject({
      AUTHORIZER_REVOCATION_TABLE_NAME: "cognito-triggers-dev-revocations",
      AUTHORIZER_REVOCATION_FAILURE_MODE: "open",
    });
    expect(env(on, "RevocationWriterLambdaFunction")).toMatchObject({
      REVOCATION_TABLE_NAME: "cognito-triggers-dev-revocations",
      REVOCATION_TTL_SECONDS: "86400",
    });
  });

  test("on: the rule matches the writer's events (successful calls only) and targets it", () => {
    const rule = activeResources(on).RevocationWriterRule?.Properties ?? {};
    expect(rule.EventPattern).toEqual({
      source: ["aws.cognito-idp"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["cognito-idp.amazonaws.com"],
        eventName: [...REVOCATION_EVENT_NAMES],
        errorCode: [{ exists: false }],
      },
    });
    const targets = rule.Targets as { Arn: unknown }[];
    expect(targets.map((t) => getAttTarget(t.Arn))).toEqual(["RevocationWriterLambdaFunction"]);
    const permission = activeResources(on).RevocationWriterEventsPermission?.Properties ?? {};
    expect(permission.Principal).toBe("events.amazonaws.com");
    expect(getAttTarget(permission.SourceArn)).toBe("RevocationWriterRule");
  });

  test("on: least privilege (writer PutItem + AdminGetUser; authorizer GetItem)", () => {
    const active = activeResources(on);
    expect(attachedActions(active, "RevocationWriterIamRoleLambdaExecution").sort()).toEqual([
      "cognito-idp:AdminGetUser",
      "dynamodb:PutItem",
    ]);
    expect(attachedActions(active, "AuthorizerIamRoleLambdaExecution")).toEqual([
      "dynamodb:GetItem",
    ]);
  });
});
