/**
 * Inbound federation over the sample events (OIDC, SAML, social) and malformed provider data:
 * renamed and normalised attributes, email_verified for trusted providers only, groups into a
 * custom attribute, unmapped claims and tokens dropped, size limits, refusals.
 */
import type { InboundFederationTriggerEvent } from "aws-lambda";
import fc from "fast-check";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import { loadInboundFederationConfig } from "../../shared/inbound-federation/config";
import {
  createInboundFederationHandler,
  FEDERATION_REFUSED_MESSAGE,
} from "../../shared/inbound-federation/handler";
import { claimValues, planFederation } from "../../shared/inbound-federation/map";
import { createLogger } from "../../shared/logger";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";

const MAPPINGS = {
  Okta: {
    attributes: {
      email: "email",
      given_name: "given_name",
      family_name: "family_name",
      name: "name",
    },
    groups: { claim: "groups", attribute: "custom:groups" },
    required: ["email"],
  },
  CorpSAML: {
    attributes: {
      email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
      given_name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
      family_name: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
    },
    groups: {
      claim: "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
      attribute: "custom:roles",
    },
    emailVerified: "always",
  },
  "*": { attributes: { email: "email", name: "name" } },
};

function handler(env: Record<string, string> = {}) {
  const config = loadInboundFederationConfig({
    INBOUND_FEDERATION_MAPPINGS: JSON.stringify(MAPPINGS),
    PRE_SIGNUP_LINK_PROVIDERS: "Okta,CorpSAML",
    ...env,
  });
  return createInboundFederationHandler({ config, logger: createLogger("inboundFederation") });
}

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

describe("inbound federation trigger", () => {
  test("OIDC: renamed, email normalised and verified (trusted, claim true), groups joined, tokens and unmapped claims dropped", async () => {
    // Act
    const result = await handler()(
      loadEvent<InboundFederationTriggerEvent>("inbound-federation-oidc"),
    );

    // Assess: userInfo wins over idToken for the same claim.
    expect(result.response.userAttributesToMap).toEqual({
      email: "jane.doe@example.com",
      email_verified: "true",
      given_name: "Jane",
      family_name: "Doe",
      name: "Jane Doe",
      "custom:groups": "Admins,Developers",
    });
    expect(output.text()).not.toContain("example-okta-token");
    expect(output.text()).not.toContain("jane.doe@example.com");
  });

  test("SAML: URI claims renamed, multi-value groups into custom:roles, email verified by a listed 'always' provider", async () => {
    // Act
    const result = await handler()(
      loadEvent<InboundFederationTriggerEvent>("inbound-federation-saml"),
    );

    // Assess
    expect(result.response.userAttributesToMap).toEqual({
      email: "jane.doe@corp.example",
      email_verified: "true",
      given_name: "Jane",
      family_name: "Doe",
      "custom:roles": "Finance,Approvers,All Staff",
    });
  });

  test("a provider not in the trust list never gets email_verified true, whatever it claims", async () => {
    // Act
    const result = await handler()(
      loadEvent<InboundFederationTriggerEvent>("inbound-federation-google"),
    );

    // Assess: Google falls to the `*` mapping and is not in PRE_SIGNUP_LINK_PROVIDERS.
    expect(result.response.userAttributesToMap).toEqual({
      email: "jane.doe@gmail.com",
      email_verified: "false",
      name: "Jane Doe",
    });
  });

  test("an empty trust list trusts every provider's own claim, as pre-signup's linking does", async () => {
    // Act
    const result = await handler({
      PRE_SIGNUP_LINK_PROVIDERS: "",
      INBOUND_FEDERATION_MAPPINGS: JSON.stringify({ "*": MAPPINGS["*"] }),
    })(loadEvent<InboundFederationTriggerEvent>("inbound-federation-google"));

    // Assess
    expect(result.response.userAttributesToMap.email_verified).toBe("true");
  });

  test("malformed provider data: a clear refusal when a required attribute is unusable, never a crash", async () => {
    // Act
    const error = await handler()(
      loadEvent<InboundFederationTriggerEvent>("inbound-federation-malformed"),
    ).catch((e: Error) => e);

    // Assess: email is an array of words (first is not an address), so the required email is missing.
    expect((error as Error).message).toBe(FEDERATION_REFUSED_MESSAGE);
  });

  test("malformed provider data without requirements: the usable parts, oversized values dropped", async () => {
    // Prepare
    const event = loadEvent<InboundFederationTriggerEvent>("inbound-federation-malformed");
    event.request.providerName = "SomeOtherIdP";
    (event.request.attributes.idToken as Record<string, unknown>).name = "Jane";

    // Act
    const result = await handler()(event);

    // Assess
    expect(result.response.userAttributesToMap).toEqual({ name: "Jane" });
  });

  test("nothing mappable is refused: an empty map would keep every attribute the provider sent", async () => {
    // Prepare
    const event = loadEvent<InboundFederationTriggerEvent>("inbound-federation-google");
    event.request.attributes = {};

    // Act / Assess
    await expect(handler()(event)).rejects.toThrow(FEDERATION_REFUSED_MESSAGE);
  });

  test("a provider with no mapping and no `*` is refused", async () => {
    // Act / Assess
    await expect(
      handler({ INBOUND_FEDERATION_MAPPINGS: JSON.stringify({ Okta: MAPPINGS.Okta }) })(
        loadEvent<InboundFederationTriggerEvent>("inbound-federation-google"),
      ),
    ).rejects.toThrow(FEDERATION_REFUSED_MESSAGE);
  });

  test("groups past 2048 characters are dropped whole, the rest kept", () => {
    // Prepare
    const groups = Array.from({ length: 300 }, (_, i) => `group-number-${i}`);
    const config = loadInboundFederationConfig({
      INBOUND_FEDERATION_MAPPINGS: JSON.stringify(MAPPINGS),
      PRE_SIGNUP_LINK_PROVIDERS: "Okta,CorpSAML",
    });

    // Act
    const plan = planFederation(
      { providerName: "Okta", attributes: { idToken: { email: "a@b.c", groups } } },
      config,
    );

    // Assess
    expect(plan.kind).toBe("map");
    if (plan.kind !== "map") return;
    const joined = plan.attributes["custom:groups"] as string;
    expect(joined.length).toBeLessThanOrEqual(2048);
    expect(joined.startsWith("group-number-0,group-number-1,")).toBe(true);
    expect(plan.dropped).toEqual([
      { attribute: "custom:groups", reason: expect.stringMatching(/groups over 2048/) },
    ]);
  });

  test("an event from another trigger gives the generic error", async () => {
    // Prepare
    const event = loadEvent<Record<string, unknown>>("inbound-federation-oidc");
    event.triggerSource = "PreSignUp_ExternalProvider";

    // Act / Assess
    await expect(handler()(event as unknown as InboundFederationTriggerEvent)).rejects.toThrow(
      GENERIC_ERROR_MESSAGE,
    );
  });

  test("property: any provider data gives a non-empty map within limits or a refusal, never an exception", () => {
    const config = loadInboundFederationConfig({
      INBOUND_FEDERATION_MAPPINGS: JSON.stringify(MAPPINGS),
      PRE_SIGNUP_LINK_PROVIDERS: "Okta,CorpSAML",
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom("Okta", "CorpSAML", "Other"), fc.anything()),
        fc.oneof(
          fc.anything(),
          fc.record({
            idToken: fc.dictionary(
              fc.constantFrom("email", "groups", "name", "email_verified"),
              fc.anything(),
            ),
            userInfo: fc.anything(),
            samlResponse: fc.anything(),
          }),
        ),
        (providerName, attributes) => {
          const plan = planFederation({ providerName, attributes }, config);
          if (plan.kind === "map") {
            expect(Object.keys(plan.attributes).length).toBeGreaterThan(0);
            for (const value of Object.values(plan.attributes)) {
              expect(typeof value).toBe("string");
              expect(value.length).toBeLessThanOrEqual(2048);
            }
            if (plan.attributes.email_verified === "true") expect(providerName).not.toBe("Other");
          }
        },
      ),
    );
  });
});

describe("claimValues", () => {
  test.each<[unknown, string[]]>([
    ["a", ["a"]],
    ['["a","b"]', ["a", "b"]],
    ["[a, b , ]", ["a", "b"]],
    [
      ["x", 1, { y: 1 }],
      ["x", "1"],
    ],
    [true, ["true"]],
    [{ a: 1 }, []],
    [null, []],
    ["  ", []],
  ])("%j -> %j", (value, expected) => {
    expect(claimValues(value)).toEqual(expected);
  });
});

describe("loadInboundFederationConfig", () => {
  test.each([
    ["not JSON", "{"],
    ["an empty object", "{}"],
    ["a reserved target", JSON.stringify({ "*": { attributes: { sub: "sub" } } })],
    [
      "groups into a standard attribute",
      JSON.stringify({ "*": { attributes: {}, groups: { claim: "g", attribute: "name" } } }),
    ],
    [
      "an unknown emailVerified mode",
      JSON.stringify({ "*": { attributes: {}, emailVerified: "yes" } }),
    ],
    [
      "`always` for a provider not in the trust list",
      JSON.stringify({ Okta: { attributes: {}, emailVerified: "always" } }),
    ],
    ["an unknown key", JSON.stringify({ "*": { attributes: {}, colour: 1 } })],
    ["required but unmapped", JSON.stringify({ "*": { attributes: {}, required: ["email"] } })],
  ])("refuses %s naming INBOUND_FEDERATION_MAPPINGS", (_name, value) => {
    expect(() => loadInboundFederationConfig({ INBOUND_FEDERATION_MAPPINGS: value })).toThrow(
      /INBOUND_FEDERATION_MAPPINGS/,
    );
  });

  test("unset: the default mapping for every provider", () => {
    const config = loadInboundFederationConfig({});
    expect(Object.keys(config.mappings)).toEqual(["*"]);
    expect(config.trustedProviders).toEqual([]);
  });
});
