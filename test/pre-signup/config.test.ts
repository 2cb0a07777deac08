import { ConfigError } from "../../shared/errors";
import { DEFAULT_LINKED_MESSAGE, loadPreSignUpConfig } from "../../shared/pre-signup/config";
import { hashInviteCode } from "../../shared/pre-signup/invite";

function variableOf(env: Record<string, string>): string {
  try {
    loadPreSignUpConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.variable;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadPreSignUpConfig", () => {
  it("defaults to every rule off, linking on, separate federated users", () => {
    // Act
    const config = loadPreSignUpConfig({});
    // Assess
    expect(config).toMatchObject({
      allowedDomains: [],
      deniedDomains: [],
      inviteOnly: false,
      inviteCodeDigests: [],
      inviteCodeKey: "inviteCode",
      autoConfirmDomains: [],
      autoVerifyTrustedDomains: false,
      autoConfirmAdminCreated: false,
      autoVerifyFederatedEmail: true,
      requiredAttributes: [],
      requireE164Phone: false,
      allowListRequiresVerifiedEmail: true,
      linkFederated: true,
      noNativeUserPolicy: "allow-separate",
      afterLink: "fail-with-message",
      linkedMessage: DEFAULT_LINKED_MESSAGE,
      identityProviders: [],
      linkProviders: [],
      subjectAttribute: undefined,
      localUsersFile: undefined,
      cognitoEndpoint: undefined,
    });
    expect(config.attributePatterns.size).toBe(0);
  });

  it("normalises domain rules and merges plain codes and hashes into digests", () => {
    const digest = hashInviteCode("b").toString("hex");
    const config = loadPreSignUpConfig({
      PRE_SIGNUP_DENIED_DOMAINS: " @Mailinator.COM , *.spam.example. ",
      PRE_SIGNUP_INVITE_ONLY: "true",
      PRE_SIGNUP_INVITE_CODES: "a",
      PRE_SIGNUP_INVITE_CODE_HASHES: digest,
      PRE_SIGNUP_ATTRIBUTE_PATTERNS: '{"custom:employee_id":"^E\\\\d{6}$"}',
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: "http://localhost:9229",
    });
    expect(config.deniedDomains).toEqual(["mailinator.com", "spam.example"]);
    expect(config.inviteCodeDigests.map((d) => d.toString("hex"))).toEqual([
      hashInviteCode("a").toString("hex"),
      digest,
    ]);
    expect(config.attributePatterns.get("custom:employee_id")?.test("E123456")).toBe(true);
    expect(config.cognitoEndpoint).toBe("http://localhost:9229");
  });

  it("names the variable at fault", () => {
    expect(variableOf({ PRE_SIGNUP_ALLOWED_DOMAINS: "ok.com,not a domain" })).toBe(
      "PRE_SIGNUP_ALLOWED_DOMAINS",
    );
    expect(variableOf({ PRE_SIGNUP_INVITE_ONLY: "true" })).toBe("PRE_SIGNUP_INVITE_ONLY");
    expect(variableOf({ PRE_SIGNUP_INVITE_ONLY: "maybe" })).toBe("PRE_SIGNUP_INVITE_ONLY");
    expect(variableOf({ PRE_SIGNUP_INVITE_CODE_HASHES: "abc" })).toBe(
      "PRE_SIGNUP_INVITE_CODE_HASHES",
    );
    expect(variableOf({ PRE_SIGNUP_ATTRIBUTE_PATTERNS: "[1]" })).toBe(
      "PRE_SIGNUP_ATTRIBUTE_PATTERNS",
    );
    expect(variableOf({ PRE_SIGNUP_ATTRIBUTE_PATTERNS: '{"a":"("}' })).toBe(
      "PRE_SIGNUP_ATTRIBUTE_PATTERNS",
    );
    expect(variableOf({ PRE_SIGNUP_NO_NATIVE_USER: "merge" })).toBe("PRE_SIGNUP_NO_NATIVE_USER");
    expect(variableOf({ PRE_SIGNUP_AFTER_LINK: "retry" })).toBe("PRE_SIGNUP_AFTER_LINK");
    expect(variableOf({ PRE_SIGNUP_SUBJECT_ATTRIBUTE: "custom:idp sub" })).toBe(
      "PRE_SIGNUP_SUBJECT_ATTRIBUTE",
    );
    expect(variableOf({ PRE_SIGNUP_ALLOWED_DOMAINS_REQUIRE_VERIFIED_EMAIL: "maybe" })).toBe(
      "PRE_SIGNUP_ALLOWED_DOMAINS_REQUIRE_VERIFIED_EMAIL",
    );
  });

  it("refuses auto-verify of trusted domains together with federated linking", () => {
    // Linking (on by default) trusts a verified email; auto-verify makes one nobody proved.
    expect(
      variableOf({
        PRE_SIGNUP_AUTO_CONFIRM_DOMAINS: "corp.com",
        PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS: "true",
      }),
    ).toBe("PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS");
    const config = loadPreSignUpConfig({
      PRE_SIGNUP_AUTO_CONFIRM_DOMAINS: "corp.com",
      PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS: "true",
      PRE_SIGNUP_LINK_FEDERATED: "false",
    });
    expect(config).toMatchObject({ autoVerifyTrustedDomains: true, linkFederated: false });
  });

  it("reads the subject attribute and the allow-list's verified-email switch", () => {
    const config = loadPreSignUpConfig({
      PRE_SIGNUP_SUBJECT_ATTRIBUTE: "custom:idp_sub",
      PRE_SIGNUP_ALLOWED_DOMAINS_REQUIRE_VERIFIED_EMAIL: "false",
    });
    expect(config).toMatchObject({
      subjectAttribute: "custom:idp_sub",
      allowListRequiresVerifiedEmail: false,
    });
  });

  it("refuses attempts x timeout over the invocation budget, naming the variable", () => {
    expect(variableOf({ AWS_MAX_ATTEMPTS: "5", AWS_CALL_TIMEOUT_MS: "4500" })).toBe(
      "AWS_MAX_ATTEMPTS",
    );
  });

  it("never puts an invite code in a config error", () => {
    try {
      loadPreSignUpConfig({ PRE_SIGNUP_INVITE_CODE_HASHES: "secret-code-not-a-hash" });
      throw new Error("expected a ConfigError");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain("secret-code");
    }
  });
});
