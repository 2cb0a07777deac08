/** serverless.yml gives preSignUp exactly the Cognito calls it makes, and only variables it reads. */
import { join } from "node:path";
import { readServerlessYml } from "../../scripts/local-env";

const ROOT = join(__dirname, "..", "..");

type Statement = { Effect: string; Action: string[]; Resource: unknown };

describe("serverless.yml preSignUp block", () => {
  const doc = readServerlessYml(ROOT) as {
    functions: Record<
      string,
      { iamRoleStatements: Statement[]; environment: Record<string, string> }
    >;
  };
  const fn = doc.functions.preSignUp;

  it("allows exactly ListUsers, AdminCreateUser and AdminLinkProviderForUser on user pools", () => {
    const statements = fn?.iamRoleStatements ?? [];
    expect(statements.flatMap((s) => s.Action).sort()).toEqual([
      "cognito-idp:AdminCreateUser",
      "cognito-idp:AdminLinkProviderForUser",
      "cognito-idp:ListUsers",
    ]);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      expect(JSON.stringify(statement.Resource)).toContain(":cognito-idp:");
      expect(JSON.stringify(statement.Resource)).toContain(":userpool/");
    }
  });

  it("sets only variables the pre-signup config reads", () => {
    const known = new Set([
      "PRE_SIGNUP_ALLOWED_DOMAINS",
      "PRE_SIGNUP_DENIED_DOMAINS",
      "PRE_SIGNUP_INVITE_ONLY",
      "PRE_SIGNUP_INVITE_CODE_HASHES",
      "PRE_SIGNUP_AUTO_CONFIRM_DOMAINS",
      "PRE_SIGNUP_AUTO_CONFIRM_ADMIN_CREATED",
      "PRE_SIGNUP_REQUIRED_ATTRIBUTES",
      "PRE_SIGNUP_LINK_FEDERATED",
      "PRE_SIGNUP_NO_NATIVE_USER",
      "PRE_SIGNUP_AFTER_LINK",
      "PRE_SIGNUP_IDENTITY_PROVIDERS",
    ]);
    for (const name of Object.keys(fn?.environment ?? {})) expect(known).toContain(name);
  });
});
