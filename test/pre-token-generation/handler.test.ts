import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import { createLogger } from "../../shared/logger";
import { loadPreTokenConfig } from "../../shared/pre-token-generation/config";
import {
  CLIENT_DENIED_MESSAGE,
  createPreTokenGenerationHandler,
  type PreTokenEvent,
} from "../../shared/pre-token-generation/handler";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { ADMIN_ROLE, envOf, FULL_CONFIG, M2M_CLIENT, MEMBER_ROLE } from "./fixtures";

type Json = Record<string, unknown>;

/** The claims FULL_CONFIG documents for Alice (admins + members, tenant acme, plan pro, 25 seats). */
const ALICE_ID_CLAIMS = {
  tenant_id: "acme",
  seats: 25,
  display_name: "Alice Example",
  roles: ["admin", "member"],
};
const ALICE_ACCESS_CLAIMS = {
  tenant_id: "acme",
  plan: "pro",
  seats: 25,
  roles: ["admin", "member"],
};
const ALICE_GROUPS = {
  groupsToOverride: ["admins", "members"],
  iamRolesToOverride: [ADMIN_ROLE, MEMBER_ROLE],
  preferredRole: ADMIN_ROLE,
};
const ALICE_V2_RESPONSE = {
  claimsAndScopeOverrideDetails: {
    idTokenGeneration: {
      claimsToAddOrOverride: ALICE_ID_CLAIMS,
      claimsToSuppress: ["phone_number"],
    },
    accessTokenGeneration: {
      claimsToAddOrOverride: ALICE_ACCESS_CLAIMS,
      claimsToSuppress: [],
      scopesToAdd: ["api/read", "api/write"],
      scopesToSuppress: ["aws.cognito.signin.user.admin"],
    },
    groupOverrideDetails: ALICE_GROUPS,
  },
};

function handlerFor(raw: unknown = FULL_CONFIG, extra: Record<string, string> = {}) {
  const config = loadPreTokenConfig(envOf(raw, extra));
  return createPreTokenGenerationHandler({ config, logger: createLogger("preTokenGeneration") });
}

function event(name: string): PreTokenEvent {
  return loadEvent<PreTokenEvent>(`pre-token-generation-${name}`);
}

describe("pre-token-generation handler", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  it("V1: writes the documented ID-token claims as strings", async () => {
    // Prepare
    const handler = handlerFor();
    // Act
    const result = await handler(event("v1-authentication"));
    // Assess
    expect(result.response).toEqual({
      claimsOverrideDetails: {
        claimsToAddOrOverride: {
          tenant_id: "acme",
          seats: "25",
          display_name: "Alice Example",
          roles: '["admin","member"]',
        },
        claimsToSuppress: ["phone_number"],
        groupOverrideDetails: ALICE_GROUPS,
      },
    });
  });

  it.each(["v2-hosted-auth", "v3-authentication"])(
    "%s: writes the documented ID and access token claims and scopes",
    async (name) => {
      // Prepare
      const handler = handlerFor();
      // Act
      const result = await handler(event(name));
      // Assess
      expect(result.response).toEqual(ALICE_V2_RESPONSE);
    },
  );

  it("gives the same user the same claims in V1, V2 and V3", async () => {
    // Prepare
    const handler = handlerFor();
    const v1 = event("v1-authentication");
    const v2 = { ...structuredClone(v1), version: "2", response: {} } as PreTokenEvent;
    const v3 = { ...structuredClone(v1), version: "3", response: {} } as PreTokenEvent;
    // Act
    const [r1, r2, r3] = await Promise.all([handler(v1), handler(v2), handler(v3)]);
    // Assess
    const id1 = (r1.response as Json).claimsOverrideDetails as { claimsToAddOrOverride: Json };
    const id2 = ((r2.response as Json).claimsAndScopeOverrideDetails as Json).idTokenGeneration as {
      claimsToAddOrOverride: Json;
    };
    expect(r3.response).toEqual(r2.response);
    expect(r2.response).toEqual(ALICE_V2_RESPONSE);
    // V1 carries the same claims, each value as its string form.
    expect(id1.claimsToAddOrOverride).toEqual(
      Object.fromEntries(
        Object.entries(id2.claimsToAddOrOverride).map(([k, v]) => [
          k,
          typeof v === "string" ? v : JSON.stringify(v),
        ]),
      ),
    );
  });

  it("V2 refresh for a member: suppresses the admin scope the client requested", async () => {
    // Prepare
    const handler = handlerFor();
    // Act
    const result = await handler(event("v2-refresh-tokens"));
    // Assess
    const details = (result.response as Json).claimsAndScopeOverrideDetails as Json;
    expect(details.accessTokenGeneration).toEqual({
      claimsToAddOrOverride: { tenant_id: "acme", plan: "basic", seats: 3, roles: ["member"] },
      claimsToSuppress: [],
      scopesToAdd: ["api/read"],
      scopesToSuppress: ["api/write", "aws.cognito.signin.user.admin"],
    });
  });

  it("accepts cognito-local's version 0 event as V1 (no groups there)", async () => {
    // Prepare
    const handler = handlerFor();
    // Act
    const result = await handler(event("v1-cognito-local"));
    // Assess
    expect(result.response).toEqual({
      claimsOverrideDetails: {
        claimsToAddOrOverride: {
          tenant_id: "acme",
          seats: "25",
          display_name: "Alice Example",
          roles: "[]",
        },
        claimsToSuppress: ["phone_number"],
        groupOverrideDetails: { groupsToOverride: [], iamRolesToOverride: [] },
      },
    });
  });

  it("V3 client credentials: writes the client's access-token claims and scopes only", async () => {
    // Prepare
    const handler = handlerFor();
    // Act
    const result = await handler(event("v3-client-credentials"));
    // Assess
    expect(result.response).toEqual({
      claimsAndScopeOverrideDetails: {
        accessTokenGeneration: {
          claimsToAddOrOverride: {
            tenant_id: "acme",
            service: true,
            tier: 2,
            regions: ["eu", "us"],
          },
          claimsToSuppress: [],
          scopesToAdd: ["api/read"],
          scopesToSuppress: ["api/write"],
        },
      },
    });
  });

  it("V3 client credentials: an unknown client gets nothing, or is refused when configured so", async () => {
    // Prepare
    const open = handlerFor();
    const closed = handlerFor({ ...FULL_CONFIG, denyUnknownClients: true });
    // Act
    const result = await open(event("v3-client-credentials-unknown"));
    const refused = closed(event("v3-client-credentials-unknown"));
    // Assess
    const details = (result.response as Json).claimsAndScopeOverrideDetails as Json;
    expect(details.accessTokenGeneration).toEqual({
      claimsToAddOrOverride: {},
      claimsToSuppress: [],
      scopesToAdd: [],
      scopesToSuppress: [],
    });
    await expect(refused).rejects.toThrow(CLIENT_DENIED_MESSAGE);
    expect(M2M_CLIENT).not.toBe(event("v3-client-credentials-unknown").callerContext.clientId);
  });

  it.each([
    ["an unsupported version", "v2-hosted-auth", (e: Json) => Object.assign(e, { version: "4" })],
    [
      "a client-credentials event that is not V3",
      "v3-client-credentials",
      (e: Json) => Object.assign(e, { version: "2" }),
    ],
    [
      "groups that are not strings",
      "v2-hosted-auth",
      (e: Json) => Object.assign(e, { request: { groupConfiguration: { groupsToOverride: [1] } } }),
    ],
    [
      "another trigger's source",
      "v1-authentication",
      (e: Json) => Object.assign(e, { triggerSource: "PreSignUp_SignUp" }),
    ],
    [
      "a user event without a userName",
      "v2-hosted-auth",
      (e: Json) => Object.assign(e, { userName: null }),
    ],
  ])("fails with the generic message on %s", async (_name, base, mutate) => {
    // Prepare
    const handler = handlerFor();
    const input = event(base) as unknown as Json;
    // Act
    const result = handler(mutate(input) as unknown as PreTokenEvent);
    // Assess
    await expect(result).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(output.jsonLines().map((line) => line.errorType)).toContain("InvalidEventError");
  });

  it("logs a dropped claim by name and reason, never its value", async () => {
    // Prepare
    const handler = handlerFor();
    const e = event("v2-hosted-auth");
    e.request.userAttributes["custom:seats"] = "secret-ish-value";
    // Act
    await handler(e);
    // Assess
    const warning = output.jsonLines().find((line) => line.message === "Claim left out");
    expect(warning).toMatchObject({ claim: "seats", reason: "not a number" });
    expect(output.text()).not.toContain("secret-ish-value");
  });

  it("leaves out a number that would be rounded, naming the claim, never the value", async () => {
    // Prepare: 2^53 + 1 would become 2^53, the value of another user.
    const handler = handlerFor();
    const e = event("v2-hosted-auth");
    e.request.userAttributes["custom:seats"] = "9007199254740993";
    // Act
    const result = await handler(e);
    // Assess
    const warning = output.jsonLines().find((line) => line.message === "Claim left out");
    expect(warning).toMatchObject({
      claim: "seats",
      reason: "number beyond the safe integer range",
    });
    expect(output.text()).not.toContain("900719925474099");
    expect(JSON.stringify(result.response)).not.toContain("seats");
  });

  it("logs each mutable-source warning once, when the handler is built (cold start)", async () => {
    // Prepare
    const raw = { claims: [{ claim: "tier", attribute: "custom:tier" }] };
    // Act
    const handler = handlerFor(raw);
    await handler(event("v2-hosted-auth"));
    await handler(event("v2-hosted-auth"));
    // Assess
    const warnings = output
      .jsonLines()
      .filter((line) => line.message === "Access-granting claim from a user-writable attribute");
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.warning)).toContain('"custom:tier"');
  });
});
