import {
  attributeLabel,
  type DecisionConfig,
  type DirectoryUser,
  decideLink,
  decideSignUp,
  type FederatedSignIn,
  MESSAGES,
  planFederated,
} from "../../shared/pre-signup/decide";
import { domainMatches, strictEmailDomain } from "../../shared/pre-signup/domains";
import { hashInviteCode, inviteCodeMatches, parseDigest } from "../../shared/pre-signup/invite";
import {
  emailFilter,
  escapeFilterValue,
  hasIdentity,
  parseFederatedUserName,
  resolveSubject,
  usernameFilter,
} from "../../shared/pre-signup/provider";
import { configFrom, plainConfig, request } from "./helpers";

const ALLOW_NONE = { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };

function denyReason(
  email: string | undefined,
  config: DecisionConfig,
  source = "PreSignUp_SignUp",
) {
  const attrs: Record<string, string> = email === undefined ? {} : { email };
  const decision = decideSignUp(
    request({ triggerSource: source as never, userAttributes: attrs }),
    config,
  );
  return decision.kind === "deny" ? decision.reason : "allowed";
}

describe("decideSignUp: domain rules", () => {
  it("allows any email when no domain rule is configured", () => {
    // Prepare
    const config = plainConfig();
    // Act
    const decision = decideSignUp(request(), config);
    // Assess
    expect(decision).toEqual({ kind: "allow", response: ALLOW_NONE });
  });

  it("denies a denied domain and its subdomains, whatever the case or plus tag", () => {
    const config = plainConfig({ deniedDomains: ["mailinator.com"] });
    for (const email of [
      "a@mailinator.com",
      "A@MAILINATOR.COM",
      "a+tag@Mailinator.Com",
      "a@eu.mailinator.com",
      " a@mailinator.com. ",
    ]) {
      expect(denyReason(email, config)).toBe("domain-denied");
    }
    expect(denyReason("a@notmailinator.com", config)).toBe("allowed");
    expect(denyReason("a@mailinator.com.example.org", config)).toBe("allowed");
  });

  it("refuses malformed addresses that could hide a domain (second @, whitespace, non-ASCII)", () => {
    const config = plainConfig({ deniedDomains: ["evil.com"] });
    expect(denyReason('"a@ok.com"@evil.com', config)).toBe("invalid-email");
    expect(denyReason("a@evil.com@ok.com", config)).toBe("invalid-email");
    expect(denyReason("a b@ok.com", config)).toBe("invalid-email");
    expect(denyReason("a@ok..com", config)).toBe("invalid-email");
    expect(denyReason("a@еvil.com", config)).toBe("invalid-email");
    // U+212A (Kelvin sign) lower-cases to an ASCII `k`: still another domain.
    expect(strictEmailDomain("a@\u212Aorp.com")).toBeUndefined();
    expect(denyReason("a@\u212Aorp.com", plainConfig({ allowedDomains: ["korp.com"] }))).toBe(
      "invalid-email",
    );
  });

  it("with an allow-list, accepts only listed domains and their subdomains", () => {
    const config = plainConfig({ allowedDomains: ["corp.example"] });
    expect(denyReason("a@corp.example", config)).toBe("allowed");
    expect(denyReason("a+x@EU.Corp.Example", config)).toBe("allowed");
    expect(denyReason("a@corp.example.evil.com", config)).toBe("domain-not-allowed");
    expect(denyReason("a@evilcorp.example", config)).toBe("domain-not-allowed");
  });

  it("requires an email when a domain rule is configured", () => {
    const config = plainConfig({ allowedDomains: ["corp.example"] });
    expect(denyReason(undefined, config)).toBe("email-required");
    expect(denyReason("  ", config)).toBe("email-required");
  });

  it("lets the deny-list win over the allow-list and the auto-confirm list", () => {
    const config = plainConfig({
      allowedDomains: ["example.com"],
      autoConfirmDomains: ["example.com"],
      deniedDomains: ["bad.example.com"],
    });
    expect(denyReason("a@bad.example.com", config)).toBe("domain-denied");
    expect(denyReason("a@good.example.com", config)).toBe("allowed");
  });

  it("with an allow-list, requires an email the IdP verified for federated sign-ups", () => {
    const config = plainConfig({ allowedDomains: ["corp.com"] });
    const federated = (attributes: Record<string, string>) =>
      decideSignUp(
        request({
          triggerSource: "PreSignUp_ExternalProvider",
          userName: "Facebook_1",
          userAttributes: attributes,
        }),
        config,
      );
    for (const verified of ["false", "", "yes", "1"]) {
      expect(federated({ email: "ceo@corp.com", email_verified: verified })).toEqual({
        kind: "deny",
        reason: "federated-email-not-verified",
        message: MESSAGES.federatedEmailNotVerified,
      });
    }
    expect(federated({ email: "ceo@corp.com" })).toMatchObject({
      reason: "federated-email-not-verified",
    });
    expect(federated({ email: "ceo@corp.com", email_verified: "true" }).kind).toBe("allow");
    // Self sign-ups prove the address with Cognito's own verification: unchanged.
    expect(denyReason("ceo@corp.com", config)).toBe("allowed");
    // Without an allow-list, an unverified federated email is allowed (and never linked).
    expect(
      decideSignUp(
        request({
          triggerSource: "PreSignUp_ExternalProvider",
          userName: "Facebook_1",
          userAttributes: { email: "a@b.com", email_verified: "false" },
        }),
        plainConfig(),
      ).kind,
    ).toBe("allow");
  });

  it("lets PRE_SIGNUP_ALLOWED_DOMAINS_REQUIRE_VERIFIED_EMAIL=false accept an unverified federated email", () => {
    const config = plainConfig({
      allowedDomains: ["corp.com"],
      allowListRequiresVerifiedEmail: false,
    });
    expect(denyReason("ceo@corp.com", config, "PreSignUp_ExternalProvider")).toBe("allowed");
  });

  it("applies domain rules to admin-created and federated users too", () => {
    const config = plainConfig({ deniedDomains: ["evil.com"] });
    expect(denyReason("a@evil.com", config, "PreSignUp_AdminCreateUser")).toBe("domain-denied");
    expect(denyReason("a@evil.com", config, "PreSignUp_ExternalProvider")).toBe("domain-denied");
  });

  it("answers with the user-facing messages", () => {
    const decision = decideSignUp(
      request({ userAttributes: { email: "a@evil.com" } }),
      plainConfig({ deniedDomains: ["evil.com"] }),
    );
    expect(decision).toEqual({
      kind: "deny",
      reason: "domain-denied",
      message: MESSAGES.domainDenied,
    });
  });
});

describe("decideSignUp: invite-only", () => {
  const config = plainConfig({
    inviteOnly: true,
    inviteCodeDigests: [hashInviteCode("welcome-2026"), hashInviteCode("other")],
  });

  it("requires a code on self sign-up", () => {
    const decision = decideSignUp(request(), config);
    expect(decision).toMatchObject({ kind: "deny", reason: "invite-required" });
  });

  it("refuses a wrong code, and a prefix of a right one", () => {
    for (const code of ["nope", "welcome", "welcome-20266", "WELCOME-2026"]) {
      const decision = decideSignUp(request({ validationData: { inviteCode: code } }), config);
      expect(decision).toMatchObject({ kind: "deny", reason: "invite-invalid" });
    }
  });

  it("accepts a valid code from validationData or clientMetadata", () => {
    expect(
      decideSignUp(request({ validationData: { inviteCode: "welcome-2026" } }), config).kind,
    ).toBe("allow");
    expect(decideSignUp(request({ clientMetadata: { inviteCode: "other" } }), config).kind).toBe(
      "allow",
    );
  });

  it("reads the configured key", () => {
    const custom = { ...config, inviteCodeKey: "invitation" };
    expect(
      decideSignUp(request({ validationData: { inviteCode: "welcome-2026" } }), custom).kind,
    ).toBe("deny");
    expect(
      decideSignUp(request({ validationData: { invitation: "welcome-2026" } }), custom).kind,
    ).toBe("allow");
  });

  it("exempts admin-created users", () => {
    const decision = decideSignUp(request({ triggerSource: "PreSignUp_AdminCreateUser" }), config);
    expect(decision.kind).toBe("allow");
  });
});

describe("decideSignUp: auto-confirm and auto-verify", () => {
  it("confirms self sign-ups in trusted domains (and subdomains) only, without verifying the email", () => {
    const config = plainConfig({ autoConfirmDomains: ["corp.example"] });
    const trusted = decideSignUp(
      request({ userAttributes: { email: "a@eu.corp.example" } }),
      config,
    );
    const other = decideSignUp(request({ userAttributes: { email: "a@example.com" } }), config);
    // Nobody proved they own a@eu.corp.example: a verified email is what linking trusts.
    expect(trusted).toEqual({
      kind: "allow",
      response: { autoConfirmUser: true, autoVerifyEmail: false, autoVerifyPhone: false },
    });
    expect(other).toEqual({ kind: "allow", response: ALLOW_NONE });
  });

  it("verifies trusted-domain emails only with the explicit opt-in", () => {
    const config = plainConfig({
      autoConfirmDomains: ["corp.example"],
      autoVerifyTrustedDomains: true,
      linkFederated: false,
    });
    expect(decideSignUp(request({ userAttributes: { email: "a@corp.example" } }), config)).toEqual({
      kind: "allow",
      response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false },
    });
    expect(decideSignUp(request({ userAttributes: { email: "a@example.com" } }), config)).toEqual({
      kind: "allow",
      response: ALLOW_NONE,
    });
  });

  it("an attacker's self sign-up as ceo@<trusted domain> never receives the CEO's Google sign-in", () => {
    // Prepare: the reviewer's scenario, through the production config parser.
    const config = configFrom({ PRE_SIGNUP_AUTO_CONFIRM_DOMAINS: "corp.com" });
    // Act: the attacker signs up; Cognito stores the email as verified only if the trigger says so.
    const attacker = decideSignUp(request({ userAttributes: { email: "ceo@corp.com" } }), config);
    const emailVerified = attacker.kind === "allow" && attacker.response.autoVerifyEmail;
    const victim = decideSignUp(
      request({
        triggerSource: "PreSignUp_ExternalProvider",
        userName: "Google_999",
        userAttributes: { email: "ceo@corp.com", email_verified: "true" },
      }),
      config,
    );
    if (victim.kind !== "allow" || !victim.federated) throw new Error("unexpected decision");
    const plan = planFederated(victim.federated, config);
    if (plan.kind !== "lookup") throw new Error("unexpected plan");
    const native: DirectoryUser = {
      username: "attacker-native",
      status: "CONFIRMED",
      enabled: true,
      emailVerified,
      identities: [],
    };
    // Assess
    expect(emailVerified).toBe(false);
    expect(decideLink(plan, [native], config)).toEqual({
      kind: "separate",
      reason: "native-email-not-verified",
    });
  });

  it("confirms admin-created users only when configured", () => {
    const admin = request({ triggerSource: "PreSignUp_AdminCreateUser" });
    expect(decideSignUp(admin, plainConfig())).toEqual({ kind: "allow", response: ALLOW_NONE });
    expect(decideSignUp(admin, plainConfig({ autoConfirmAdminCreated: true }))).toEqual({
      kind: "allow",
      response: { autoConfirmUser: true, autoVerifyEmail: true, autoVerifyPhone: false },
    });
    const noEmail = request({ triggerSource: "PreSignUp_AdminCreateUser", userAttributes: {} });
    expect(decideSignUp(noEmail, plainConfig({ autoConfirmAdminCreated: true }))).toMatchObject({
      response: { autoConfirmUser: true, autoVerifyEmail: false },
    });
  });

  it("verifies a federated email only when the IdP says it is verified", () => {
    const federated = (verified: string | undefined) =>
      request({
        triggerSource: "PreSignUp_ExternalProvider",
        userName: "Google_123",
        userAttributes:
          verified === undefined
            ? { email: "a@b.com" }
            : { email: "a@b.com", email_verified: verified },
      });
    expect(decideSignUp(federated("true"), plainConfig())).toMatchObject({
      response: { autoConfirmUser: true, autoVerifyEmail: true },
      federated: {
        identity: { providerName: "Google", subject: "123" },
        email: "a@b.com",
        emailVerified: true,
      },
    });
    for (const verified of ["false", undefined, "yes"]) {
      expect(decideSignUp(federated(verified), plainConfig())).toMatchObject({
        response: ALLOW_NONE,
        federated: { emailVerified: false },
      });
    }
    expect(
      decideSignUp(federated("true"), plainConfig({ autoVerifyFederatedEmail: false })),
    ).toMatchObject({ response: ALLOW_NONE, federated: { emailVerified: true } });
  });
});

describe("decideSignUp: attribute checks", () => {
  it("requires the configured attributes, with a readable message", () => {
    const config = plainConfig({ requiredAttributes: ["given_name", "custom:company"] });
    const decision = decideSignUp(
      request({ userAttributes: { email: "a@b.com", given_name: "Jane", "custom:company": " " } }),
      config,
    );
    expect(decision).toEqual({
      kind: "deny",
      reason: "missing-attribute",
      message: "Please provide your company.",
    });
    const complete = request({
      userAttributes: { email: "a@b.com", given_name: "Jane", "custom:company": "ACME" },
    });
    expect(decideSignUp(complete, config).kind).toBe("allow");
  });

  it("checks attribute patterns when the attribute is present", () => {
    const config = plainConfig({
      attributePatterns: new Map([["custom:employee_id", /^E\d{6}$/u]]),
    });
    expect(
      decideSignUp(request({ userAttributes: { "custom:employee_id": "E12345" } }), config),
    ).toEqual({
      kind: "deny",
      reason: "invalid-attribute",
      message: "The employee id is not in the expected format.",
    });
    expect(
      decideSignUp(request({ userAttributes: { "custom:employee_id": "E123456" } }), config).kind,
    ).toBe("allow");
    expect(decideSignUp(request({ userAttributes: {} }), config).kind).toBe("allow");
  });

  it("requires E.164 phone numbers when configured", () => {
    const config = plainConfig({ requireE164Phone: true });
    for (const phone of ["+1 415 555 0100", "004141555010", "+0123456789", "+1234"]) {
      expect(
        decideSignUp(request({ userAttributes: { phone_number: phone } }), config),
      ).toMatchObject({ kind: "deny", reason: "invalid-phone", message: MESSAGES.invalidPhone });
    }
    expect(
      decideSignUp(request({ userAttributes: { phone_number: "+14155550100" } }), config).kind,
    ).toBe("allow");
    expect(
      decideSignUp(request({ userAttributes: { phone_number: "+1 415" } }), plainConfig()).kind,
    ).toBe("allow");
  });

  it("skips attribute checks (not domain rules) for its own create-native AdminCreateUser", () => {
    const config = plainConfig({ requiredAttributes: ["given_name"], deniedDomains: ["evil.com"] });
    const nested = (email: string, clientMetadata: Record<string, string>) =>
      request({
        triggerSource: "PreSignUp_AdminCreateUser",
        userAttributes: { email },
        clientMetadata,
      });
    expect(
      decideSignUp(nested("a@ok.com", { preSignUpPurpose: "federated-link" }), config).kind,
    ).toBe("allow");
    expect(decideSignUp(nested("a@ok.com", {}), config)).toMatchObject({
      reason: "missing-attribute",
    });
    expect(
      decideSignUp(nested("a@evil.com", { preSignUpPurpose: "federated-link" }), config),
    ).toMatchObject({ reason: "domain-denied" });
  });

  it("does not apply attribute checks to federated users (the IdP supplies their attributes)", () => {
    const config = plainConfig({ requiredAttributes: ["custom:company"], requireE164Phone: true });
    const decision = decideSignUp(
      request({
        triggerSource: "PreSignUp_ExternalProvider",
        userName: "Google_1",
        userAttributes: { phone_number: "12" },
      }),
      config,
    );
    expect(decision.kind).toBe("allow");
    expect(attributeLabel("custom:cost_centre")).toBe("cost centre");
  });
});

describe("parseFederatedUserName", () => {
  it.each([
    ["Google_1234", "Google", "1234"],
    ["google_1234", "Google", "1234"],
    ["facebook_10158", "Facebook", "10158"],
    ["LoginWithAmazon_amzn1.account.AF", "LoginWithAmazon", "amzn1.account.AF"],
    ["signinwithapple_001234.abcd.5678", "SignInWithApple", "001234.abcd.5678"],
    ["SAML-Corp_abc", "SAML-Corp", "abc"],
    ["SAML-Corp_jane_doe@corp.example", "SAML-Corp", "jane_doe@corp.example"],
  ])("%s -> %s / %s", (userName, providerName, subject) => {
    expect(parseFederatedUserName(userName, [])).toEqual({ providerName, subject });
  });

  it("uses configured names for their case and for names containing _", () => {
    expect(parseFederatedUserName("saml-corp_abc", ["SAML-Corp"])).toEqual({
      providerName: "SAML-Corp",
      subject: "abc",
    });
    expect(parseFederatedUserName("o_kta_sub_1", ["O_kta"])).toEqual({
      providerName: "O_kta",
      subject: "sub_1",
    });
  });

  it("keeps a `_` in the second character in an unconfigured provider name (Cognito allows it only there)", () => {
    expect(parseFederatedUserName("X_Corp_abc_1", [])).toEqual({
      providerName: "X_Corp",
      subject: "abc_1",
    });
    expect(parseFederatedUserName("x_corp_abc", [])).toEqual({
      providerName: "x_corp",
      subject: "abc",
    });
    expect(parseFederatedUserName("x_corp_abc", ["X_Corp"])).toEqual({
      providerName: "X_Corp",
      subject: "abc",
    });
    // A name cannot end at its `_`: nothing after it is a name plus a subject.
    for (const userName of ["X_", "X__abc", "X_Corp", "X_Corp_"]) {
      expect(parseFederatedUserName(userName, [])).toBeUndefined();
    }
  });

  it("returns undefined when there is no provider or no subject", () => {
    for (const userName of ["nounderscore", "_1234", "Google_", "Okta_"]) {
      expect(parseFederatedUserName(userName, [])).toBeUndefined();
    }
  });
});

describe("ListUsers filter", () => {
  it("escapes quotes and backslashes", () => {
    expect(escapeFilterValue('a"b\\c')).toBe('a\\"b\\\\c');
    expect(emailFilter('"x"@y.com')).toBe('email = "\\"x\\"@y.com"');
    expect(usernameFilter('u"1')).toBe('username = "u\\"1"');
  });
});

describe("resolveSubject: the case-preserved subject", () => {
  const lowered = { providerName: "Okta", subject: "00uabc123" };

  it("takes the attribute when it equals the userName's subject ignoring case", () => {
    expect(resolveSubject(lowered, { "custom:idp_sub": " 00uAbC123 " }, "custom:idp_sub")).toEqual({
      identity: { providerName: "Okta", subject: "00uAbC123" },
      source: "attribute",
      caseSafe: true,
    });
  });

  it("ignores an attribute that is absent, unconfigured or another subject", () => {
    for (const [attributes, name] of [
      [{}, "custom:idp_sub"],
      [{ "custom:idp_sub": "00uAbC124" }, "custom:idp_sub"],
      [{ "custom:idp_sub": "00uAbC123" }, undefined],
    ] as const) {
      expect(resolveSubject(lowered, attributes, name)).toEqual({
        identity: lowered,
        source: "user-name",
        caseSafe: false,
      });
    }
  });

  it("treats subjects without letters, or with upper-case letters, as case-safe", () => {
    expect(
      resolveSubject({ providerName: "Google", subject: "1098765" }, {}, undefined).caseSafe,
    ).toBe(true);
    expect(
      resolveSubject({ providerName: "Okta", subject: "00uAbC123" }, {}, undefined).caseSafe,
    ).toBe(true);
  });

  it("is applied by decideSignUp with PRE_SIGNUP_SUBJECT_ATTRIBUTE", () => {
    const decision = decideSignUp(
      request({
        triggerSource: "PreSignUp_ExternalProvider",
        userName: "okta_00uabc123",
        userAttributes: { email: "a@b.com", email_verified: "true", "custom:idp_sub": "00uAbC123" },
      }),
      plainConfig({ identityProviders: ["Okta"], subjectAttribute: "custom:idp_sub" }),
    );
    expect(decision).toMatchObject({
      federated: {
        identity: { providerName: "Okta", subject: "00uAbC123" },
        subjectSource: "attribute",
        subjectCaseSafe: true,
      },
    });
  });
});

describe("domains and invite helpers", () => {
  it("extracts the domain of well-formed addresses only", () => {
    expect(strictEmailDomain("Jane+x@Example.COM.")).toBe("example.com");
    expect(strictEmailDomain("a@localhost")).toBeUndefined();
    expect(strictEmailDomain("@example.com")).toBeUndefined();
    expect(domainMatches("a.example.com", ["example.com"])).toBe(true);
    expect(domainMatches("aexample.com", ["example.com"])).toBe(false);
  });

  it("matches invite codes against digests and parses hex digests strictly", () => {
    const digest = parseDigest(hashInviteCode("abc").toString("hex").toUpperCase());
    expect(digest).toBeDefined();
    expect(inviteCodeMatches("abc", digest ? [digest] : [])).toBe(true);
    expect(inviteCodeMatches("abd", digest ? [digest] : [])).toBe(false);
    expect(inviteCodeMatches("abc", [])).toBe(false);
    expect(parseDigest("abc")).toBeUndefined();
  });
});

describe("planFederated and decideLink", () => {
  const identity = { providerName: "Google", subject: "123" };
  const verified: FederatedSignIn = { identity, email: "jane@example.com", emailVerified: true };
  const native = (over: Partial<DirectoryUser> = {}): DirectoryUser => ({
    username: "uuid-1",
    status: "CONFIRMED",
    enabled: true,
    emailVerified: true,
    identities: [],
    ...over,
  });
  const lookup = { email: "jane@example.com", identity };

  it("looks up a native user only for a verified email, with linking on and a parsed identity", () => {
    expect(planFederated(verified, plainConfig())).toEqual({ kind: "lookup", ...lookup });
    expect(planFederated({ ...verified, emailVerified: false }, plainConfig())).toEqual({
      kind: "separate",
      reason: "email-not-verified",
    });
    expect(planFederated({ ...verified, email: undefined }, plainConfig())).toMatchObject({
      reason: "no-email",
    });
    expect(planFederated({ ...verified, identity: undefined }, plainConfig())).toMatchObject({
      reason: "unparsed-user-name",
    });
    expect(planFederated(verified, plainConfig({ linkFederated: false }))).toMatchObject({
      reason: "linking-disabled",
    });
  });

  it("looks up a native user only for the providers trusted for linking, when they are listed", () => {
    const trusted = plainConfig({ linkProviders: ["Google", "SAML-Corp"] });
    expect(planFederated(verified, trusted)).toEqual({ kind: "lookup", ...lookup });
    // Exact names: a provider left out (or a case variant) stays a user of its own.
    for (const providerName of ["Facebook", "google"]) {
      const other = { ...verified, identity: { providerName, subject: "123" } };
      expect(planFederated(other, trusted)).toEqual({
        kind: "separate",
        reason: "provider-not-trusted-for-linking",
      });
    }
    // Invite-only: that separate user would be a new account, which needs an invitation.
    const facebook = { ...verified, identity: { providerName: "Facebook", subject: "9" } };
    expect(
      planFederated(facebook, plainConfig({ linkProviders: ["Google"], inviteOnly: true })),
    ).toMatchObject({ kind: "refuse", reason: "invite-only" });
  });

  it("links to the one native user, ignoring federated users with the same email", () => {
    const users = [native(), native({ username: "Facebook_9", status: "EXTERNAL_PROVIDER" })];
    expect(decideLink(lookup, users, plainConfig())).toEqual({
      kind: "link",
      destination: "uuid-1",
      identity,
      alreadyLinked: false,
    });
  });

  it("notes an identity the native user already has", () => {
    const users = [native({ identities: [{ providerName: "Google", userId: "123" }] })];
    expect(decideLink(lookup, users, plainConfig())).toMatchObject({ alreadyLinked: true });
  });

  it("compares subjects with exact case: a lower-cased earlier link is not this identity", () => {
    const okta = { providerName: "Okta", subject: "00uAbC123" };
    const users = [native({ identities: [{ providerName: "Okta", userId: "00uabc123" }] })];
    expect(decideLink({ ...lookup, identity: okta }, users, plainConfig())).toMatchObject({
      kind: "link",
      alreadyLinked: false,
    });
    expect(hasIdentity([{ providerName: "okta", userId: "00uAbC123" }], okta)).toBe(true);
    expect(hasIdentity([{ providerName: "Okta", userId: "00UABC123" }], okta)).toBe(false);
    expect(hasIdentity([{ providerName: "Google", userId: "00uAbC123" }], okta)).toBe(false);
  });

  it("looks only at native users with a verified email: an unverified squatter neither blocks nor receives", () => {
    const squatter = native({ username: "squatter", emailVerified: false });
    expect(decideLink(lookup, [squatter, native({ username: "owner" })], plainConfig())).toEqual({
      kind: "link",
      destination: "owner",
      identity,
      alreadyLinked: false,
    });
    expect(
      decideLink(lookup, [squatter, native({ username: "squatter-2", emailVerified: false })], {
        ...plainConfig(),
        noNativeUserPolicy: "create-native",
      }),
    ).toEqual({ kind: "separate", reason: "native-email-not-verified" });
    // A disabled unverified account is not the person's either.
    expect(
      decideLink(
        lookup,
        [native({ username: "old", emailVerified: false, enabled: false }), native()],
        plainConfig(),
      ),
    ).toMatchObject({ kind: "link", destination: "uuid-1" });
    // The verified owner disabled: refused, whatever unverified accounts exist.
    expect(decideLink(lookup, [squatter, native({ enabled: false })], plainConfig())).toMatchObject(
      { kind: "refuse", reason: "native-user-disabled" },
    );
  });

  it("refuses when several native users share the email, or the native user is disabled", () => {
    expect(
      decideLink(lookup, [native(), native({ username: "uuid-2" })], plainConfig()),
    ).toMatchObject({ kind: "refuse", reason: "several-native-users" });
    expect(decideLink(lookup, [native({ enabled: false })], plainConfig())).toMatchObject({
      kind: "refuse",
      reason: "native-user-disabled",
    });
  });

  it("never links to a native user whose own email is not verified", () => {
    expect(decideLink(lookup, [native({ emailVerified: false })], plainConfig())).toEqual({
      kind: "separate",
      reason: "native-email-not-verified",
    });
  });

  it("applies the no-native-user policy", () => {
    expect(decideLink(lookup, [], plainConfig())).toEqual({
      kind: "separate",
      reason: "no-native-user",
    });
    expect(decideLink(lookup, [], plainConfig({ noNativeUserPolicy: "create-native" }))).toEqual({
      kind: "create-native-and-link",
      ...lookup,
    });
  });

  it("in invite-only mode, lets a federated user in only by linking", () => {
    const config = plainConfig({ inviteOnly: true, noNativeUserPolicy: "create-native" });
    expect(decideLink(lookup, [], config)).toEqual({
      kind: "refuse",
      reason: "invite-only",
      message: MESSAGES.federatedInviteOnly,
    });
    expect(planFederated({ ...verified, emailVerified: false }, config)).toMatchObject({
      kind: "refuse",
      reason: "invite-only",
    });
    expect(decideLink(lookup, [native()], config)).toMatchObject({ kind: "link" });
  });
});
