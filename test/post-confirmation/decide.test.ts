import fc from "fast-check";
import { planPostConfirmation } from "../../shared/post-confirmation/decide";
import {
  chooseGroups,
  type DecisionConfig,
  federatedProvider,
} from "../../shared/provisioning/plan";

const CONFIG: DecisionConfig = {
  defaultGroup: "members",
  groupByEmailDomain: { "example.com": "staff", "members.example.org": "members" },
};
const NOW = new Date("2026-11-22T12:00:00.000Z");

function input(
  attributes: Record<string, unknown>,
  triggerSource = "PostConfirmation_ConfirmSignUp",
) {
  return {
    triggerSource,
    userName: "u-1",
    userPoolId: "eu-west-1_Pool",
    userAttributes: attributes,
  };
}

describe("planPostConfirmation", () => {
  it("skips password reset confirmations", () => {
    // Act
    const plan = planPostConfirmation(
      input({ sub: "s-1" }, "PostConfirmation_ConfirmForgotPassword"),
      CONFIG,
      NOW,
    );

    // Assess
    expect(plan.kind).toBe("skip");
  });

  it("builds the profile of a native user, name from given and family names", () => {
    // Act
    const plan = planPostConfirmation(
      input({
        sub: "s-1",
        email: " Jo@Example.com ",
        email_verified: "true",
        given_name: "Jo",
        family_name: "Bloggs",
      }),
      CONFIG,
      NOW,
    );

    // Assess
    expect(plan).toEqual({
      kind: "provision",
      groups: ["members", "staff"],
      groupReasons: ["members: default group", "staff: verified email domain example.com"],
      profile: {
        sub: "s-1",
        username: "u-1",
        userPoolId: "eu-west-1_Pool",
        email: "Jo@Example.com",
        name: "Jo Bloggs",
        createdAt: "2026-11-22T12:00:00.000Z",
        source: "native",
      },
    });
  });

  it("omits absent optional fields and reports a missing sub as invalid", () => {
    // Act
    const plan = planPostConfirmation(
      input({ sub: "s-2" }),
      { groupByEmailDomain: {} } as DecisionConfig,
      NOW,
    );
    const invalid = planPostConfirmation(input({ email: "a@b.co" }), CONFIG, NOW);

    // Assess
    expect(plan).toMatchObject({ kind: "provision", groups: [] });
    expect(plan.kind === "provision" && Object.keys(plan.profile).sort()).toEqual([
      "createdAt",
      "source",
      "sub",
      "userPoolId",
      "username",
    ]);
    expect(invalid).toEqual({ kind: "invalid", reason: "userAttributes.sub is missing" });
  });

  it("marks external-provider users federated even without a parsable identities attribute", () => {
    // Act
    const plan = planPostConfirmation(
      input({ sub: "s-3", "cognito:user_status": "EXTERNAL_PROVIDER", identities: "{broken" }),
      CONFIG,
      NOW,
    );

    // Assess
    expect(plan).toMatchObject({ profile: { source: "federated" } });
    expect(plan.kind === "provision" && "provider" in plan.profile).toBe(false);
  });
});

describe("federatedProvider", () => {
  it.each([
    ['[{"providerName":"Google","providerType":"Google"}]', "Google"],
    ['[{"providerType":"OIDC"},{"providerName":"MyOIDC"}]', "MyOIDC"],
    ["[]", undefined],
    ['{"providerName":"Google"}', undefined],
    ["null", undefined],
    ["not json", undefined],
    [undefined, undefined],
  ])("reads %s as %s", (identities, expected) => {
    expect(federatedProvider(identities)).toBe(expected);
  });
});

describe("chooseGroups", () => {
  it("gives the domain group only for a verified email, and never a group twice", () => {
    // Act
    const unverified = chooseGroups({ email: "a@example.com", email_verified: "false" }, CONFIG);
    const duplicate = chooseGroups(
      { email: "a@members.example.org", email_verified: "true" },
      CONFIG,
    );
    const subdomain = chooseGroups({ email: "a@eu.example.com", email_verified: "true" }, CONFIG);

    // Assess
    expect(unverified.groups).toEqual(["members"]);
    expect(duplicate.groups).toEqual(["members"]);
    expect(subdomain.groups).toEqual(["members"]);
  });

  it("gives no domain group to a non-ASCII domain that lower-cases to a listed one", () => {
    // U+212A (Kelvin sign) lower-cases to `k`: `a@\u212Aexample.com` is not `kexample.com`.
    const config = { ...CONFIG, groupByEmailDomain: { "kexample.com": "staff" } };
    const kelvin = chooseGroups({ email: "a@\u212Aexample.com", email_verified: "true" }, config);
    const ascii = chooseGroups({ email: "a@Kexample.com", email_verified: "true" }, config);
    expect(kelvin.groups).toEqual(["members"]);
    expect(ascii.groups).toEqual(["members", "staff"]);
  });

  it("property: never throws, the default group comes first, groups are unique, and a rule group needs a verified email", () => {
    const attributes = fc.dictionary(
      fc.constantFrom(
        "sub",
        "email",
        "email_verified",
        "name",
        "identities",
        "cognito:user_status",
        "constructor",
        "__proto__",
      ),
      fc.oneof(
        fc.string(),
        fc.constantFrom("true", "a@example.com", "x@EXAMPLE.com."),
        fc.constant(null),
        fc.integer(),
      ),
    );
    fc.assert(
      fc.property(attributes, (attrs) => {
        const plan = planPostConfirmation(input(attrs), CONFIG, NOW);
        if (plan.kind !== "provision") return plan.kind === "invalid";
        const { groups } = plan;
        const verified =
          typeof attrs.email_verified === "string" && attrs.email_verified.toLowerCase() === "true";
        return (
          groups[0] === "members" &&
          new Set(groups).size === groups.length &&
          (verified || groups.length === 1)
        );
      }),
    );
  });
});
