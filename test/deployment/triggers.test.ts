/**
 * The `triggers` parameter (resources/triggers.js): a trigger left out is not attached (either
 * mode), not invocable by the pool and granted nothing; pre-signup's Cognito grants follow its
 * mode. Also: the trigger list agrees with the service's functions and attach-triggers' slots.
 */
import { cognitoTriggers } from "../../scripts/registry";
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

type TriggerSpec = { functions: string[]; slots: string[]; optIn?: string };
// The trigger list is CommonJS: the framework loads the same file as a variable source.
const triggers = require("../../resources/triggers.js") as {
  TRIGGERS: Record<string, TriggerSpec>;
  parseTriggers: (value: string) => string[];
  conditionName: (name: string) => string;
};

/** `preSignUp` -> `PreSignUpLambdaFunction`. */
const lambdaId = (fn: string) => `${fn.charAt(0).toUpperCase()}${fn.slice(1)}LambdaFunction`;

let some: Template;
let existingSome: Template;

beforeAll(async () => {
  for (const variant of VARIANTS) {
    if (variant.name === "created-some-triggers")
      some = await packageService({ ...variant.params }, "trig-some");
    if (variant.name === "existing-some-triggers") {
      existingSome = await packageService({ ...variant.params }, "trig-existing");
    }
  }
});

/** The functions that Cognito may invoke (a cognito-idp permission names them). */
function invocable(active: Record<string, Resource>): string[] {
  return Object.values(active)
    .filter(
      (r) =>
        r.Type === "AWS::Lambda::Permission" &&
        r.Properties?.Principal === "cognito-idp.amazonaws.com",
    )
    .map((r) => getAttTarget(r.Properties?.FunctionName) ?? "")
    .sort();
}

/** Every allowed action of `fn`'s own role and of the policies attached to it, but its logs. */
function granted(active: Record<string, Resource>, fn: string): unknown[] {
  const role = `${fn.charAt(0).toUpperCase()}${fn.slice(1)}IamRoleLambdaExecution`;
  return Object.entries(active)
    .filter(
      ([id, r]) => id === role || JSON.stringify(r.Properties?.Roles ?? []).includes(`"${role}"`),
    )
    .flatMap(([, r]) => statementsOf(r))
    .filter((s) => s.Effect === "Allow")
    .flatMap(actionsOf)
    .filter((a) => !String(a).startsWith("logs:"));
}

describe("the triggers parameter", () => {
  test("agrees with the function registry: every trigger once, same slot, same opt-in switch", () => {
    // Prepare: the registry's triggers, and triggers.js's view of each function.
    const registry = cognitoTriggers().map(([name, trigger]) => ({
      name,
      slot: trigger.slot,
      optIn: trigger.wiring === "always" ? undefined : trigger.wiring.param,
    }));
    const listed = Object.values(triggers.TRIGGERS).flatMap((t) =>
      t.functions.map((name, i) => ({ name, slot: t.slots[i], optIn: t.optIn })),
    );

    // Assess
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect([...listed].sort(byName)).toEqual([...registry].sort(byName));
  });

  test.each([
    ["all", Object.keys(triggers.TRIGGERS)],
    [" preSignUp , customAuth ", ["preSignUp", "customAuth"]],
  ])("%j selects %j", (value, expected) => {
    expect(triggers.parseTriggers(value)).toEqual(expected);
  });

  test.each(["", "none", "preSignUp,customauth"])("%j is refused naming the parameter", (value) => {
    expect(() => triggers.parseTriggers(value)).toThrow(
      /^Invalid parameter triggers=.*: allowed values: all, or a comma-separated list of preSignUp, /,
    );
  });

  test("created pool: only the chosen triggers are attached, invocable and granted", () => {
    // Prepare
    const active = activeResources(some);
    const config = (active.UserPool?.Properties?.LambdaConfig ?? {}) as Record<string, unknown>;

    // Assess: attached
    expect(Object.keys(config).sort()).toEqual(["PreSignUp", "PreTokenGenerationConfig"]);
    expect(some.Outputs?.WiredTriggers?.Value).toBe("preSignUp,preTokenGeneration");
    // invocable
    expect(invocable(active)).toEqual([
      "PreSignUpLambdaFunction",
      "PreTokenGenerationLambdaFunction",
    ]);
    // granted: nothing for the others; pre-signup creates native users in this mode
    for (const fn of [
      "postConfirmation",
      "postAuthentication",
      "createAuthChallenge",
      "verifyAuthChallenge",
      "customMessage",
      "customEmailSender",
    ]) {
      expect([fn, granted(active, fn)]).toEqual([fn, []]);
    }
    expect([...granted(active, "preSignUp")].sort()).toEqual([
      "cognito-idp:AdminCreateUser",
      "cognito-idp:AdminLinkProviderForUser",
      "cognito-idp:ListUsers",
    ]);
    expect(active.PostConfirmationGroupPolicy).toBeUndefined();
    // One Wire<Name> condition per trigger, made by resources/triggers.js.
    for (const name of Object.keys(triggers.TRIGGERS)) {
      expect(some.Conditions).toHaveProperty(triggers.conditionName(name));
    }
  });

  test("existing pool: the permissions and grants follow the choice; attach-triggers reads it", () => {
    // Prepare
    const active = activeResources(existingSome);

    // Assess
    expect(existingSome.Outputs?.WiredTriggers?.Value).toBe(
      "postConfirmation,postAuthentication,customAuth",
    );
    expect(invocable(active)).toEqual(
      [
        "CreateAuthChallenge",
        "DefineAuthChallenge",
        "PostAuthentication",
        "PostConfirmation",
        "VerifyAuthChallenge",
      ].map(lambdaId),
    );
    expect(active.PreSignUpCognitoPolicy).toBeUndefined();
    expect(granted(active, "preSignUp")).toEqual([]);
    expect(granted(active, "postConfirmation")).toEqual([
      "dynamodb:PutItem",
      "cognito-idp:AdminAddUserToGroup",
    ]);
    expect(existingSome.Outputs?.PostAuthenticationBackstop?.Value).toEqual({
      "Fn::If": ["PostAuthenticationBackstop", "true", "false"],
    });
  });
});
