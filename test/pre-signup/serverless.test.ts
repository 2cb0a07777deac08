/** serverless.yml gives preSignUp exactly the Cognito calls it makes, and only variables it reads. */
import { join } from "node:path";
import { readServerlessYml } from "../../scripts/local-env";

const ROOT = join(__dirname, "..", "..");

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Resource = {
  Type: string;
  Properties?: { Roles?: unknown[]; PolicyDocument?: { Statement: Statement[] } };
};

describe("serverless.yml preSignUp block", () => {
  const doc = readServerlessYml(ROOT) as {
    functions: Record<
      string,
      { iamRoleStatements?: Statement[]; environment: Record<string, string> }
    >;
    resources?: { Resources?: Record<string, Resource> };
  };
  const fn = doc.functions.preSignUp;

  /** The function's own statements, plus those of IAM policies attached to its role. */
  function preSignUpStatements(): Statement[] {
    const attached = Object.values(doc.resources?.Resources ?? {}).filter(
      (r) =>
        r.Type === "AWS::IAM::Policy" &&
        JSON.stringify(r.Properties?.Roles ?? []).includes("PreSignUpIamRoleLambdaExecution"),
    );
    return [
      ...(fn?.iamRoleStatements ?? []),
      ...attached.flatMap((r) => r.Properties?.PolicyDocument?.Statement ?? []),
    ];
  }

  it("allows exactly ListUsers, AdminCreateUser and AdminLinkProviderForUser on user pools", () => {
    const statements = preSignUpStatements();
    // AdminCreateUser only in the mode that creates native users (create-native).
    expect(
      statements
        .flatMap((s) => s.Action)
        .map((a) => JSON.stringify(a))
        .sort(),
    ).toEqual([
      '"cognito-idp:AdminLinkProviderForUser"',
      '"cognito-idp:ListUsers"',
      JSON.stringify({
        "Fn::If": [
          "PreSignUpCreatesNative",
          "cognito-idp:AdminCreateUser",
          { Ref: "AWS::NoValue" },
        ],
      }),
    ]);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      expect(JSON.stringify(statement.Resource)).toMatch(/cognito-idp|userPool\.arn/);
    }
  });

  it("sets only variables the pre-signup config reads", () => {
    const known = new Set([
      "PRE_SIGNUP_ALLOWED_DOMAINS",
      "PRE_SIGNUP_DENIED_DOMAINS",
      "PRE_SIGNUP_INVITE_ONLY",
      "PRE_SIGNUP_INVITE_CODE_HASHES",
      "PRE_SIGNUP_AUTO_CONFIRM_DOMAINS",
      "PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS",
      "PRE_SIGNUP_AUTO_CONFIRM_ADMIN_CREATED",
      "PRE_SIGNUP_REQUIRED_ATTRIBUTES",
      "PRE_SIGNUP_ALLOWED_DOMAINS_REQUIRE_VERIFIED_EMAIL",
      "PRE_SIGNUP_LINK_FEDERATED",
      "PRE_SIGNUP_NO_NATIVE_USER",
      "PRE_SIGNUP_AFTER_LINK",
      "PRE_SIGNUP_IDENTITY_PROVIDERS",
      "PRE_SIGNUP_LINK_PROVIDERS",
      "PRE_SIGNUP_SUBJECT_ATTRIBUTE",
      "AWS_CALL_BUDGET_MS",
      "AWS_CALL_TIMEOUT_MS",
      "AWS_MAX_ATTEMPTS",
    ]);
    for (const name of Object.keys(fn?.environment ?? {})) expect(known).toContain(name);
  });
});
