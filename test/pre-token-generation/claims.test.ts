import {
  buildClientCustomisation,
  buildUserCustomisation,
  convertAttribute,
  type UserContext,
} from "../../shared/pre-token-generation/claims";
import {
  toV1Response,
  toV1Value,
  toV2Response,
} from "../../shared/pre-token-generation/response-shapes";
import { ADMIN_ROLE, configOf, FULL_CONFIG, M2M_CLIENT, MEMBER_ROLE } from "./fixtures";

const ALICE: UserContext = {
  attributes: {
    sub: "4f0d2b1e-8c3a-4e5b-9f6a-2d7c1b0a9e8f",
    email: "alice@example.com",
    name: "Alice Example",
    "custom:tenant_id": "acme",
    "custom:plan": "pro",
    "custom:seats": "25",
  },
  groups: ["admins", "members", "internal-ops"],
  iamRoles: ["arn:aws:iam::123456789012:role/ops"],
  preferredRole: "arn:aws:iam::123456789012:role/ops",
};

describe("convertAttribute", () => {
  it.each([
    ["acme", "string", "acme"],
    ["25", "number", 25],
    ["-1.5e3", "number", -1500],
    ["9007199254740991", "number", Number.MAX_SAFE_INTEGER],
    ["-9007199254740991", "number", -Number.MAX_SAFE_INTEGER],
    ["1.50", "number", 1.5],
    ["0.1", "number", 0.1],
    ["5e-324", "number", 5e-324],
    ["-0", "number", 0],
    ["TRUE", "boolean", true],
    ["false", "boolean", false],
    [" sales, support ,,sales", "stringList", ["sales", "support"]],
    ["", "stringList", []],
  ] as const)("converts %j to %s", (raw, type, expected) => {
    // Act
    const result = convertAttribute(raw, type);
    // Assess
    expect(result).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["25 seats", "number"],
    ["0x10", "number"],
    ["Infinity", "number"],
    ["", "number"],
    ["yes", "boolean"],
    ["x".repeat(2049), "string"],
    [Array.from({ length: 51 }, (_, i) => `i${i}`).join(","), "stringList"],
    [`${"x".repeat(257)},y`, "stringList"],
  ] as const)("refuses %j as %s", (raw, type) => {
    // Act
    const result = convertAttribute(raw, type);
    // Assess
    expect(result.ok).toBe(false);
  });

  it.each([
    // Integers past 2^53 - 1: two users' values would round to one claim value.
    ["9007199254740993", "number beyond the safe integer range"],
    ["9007199254740992", "number beyond the safe integer range"],
    ["-9007199254740993", "number beyond the safe integer range"],
    ["1e21", "number beyond the safe integer range"],
    // Non-zero values that underflow to 0, and digits a double cannot hold.
    ["1e-400", "number does not round-trip"],
    ["-2.5e-330", "number does not round-trip"],
    ["0.1000000000000000055511151231257827", "number does not round-trip"],
    ["0.30000000000000000001", "number does not round-trip"],
    ["4503599627370496.5", "number does not round-trip"],
    ["00012", "not a number"],
  ] as const)("refuses %j as a number: %s", (raw, reason) => {
    // Act
    const result = convertAttribute(raw, "number");
    // Assess
    expect(result).toEqual({ ok: false, reason });
  });
});

describe("buildUserCustomisation", () => {
  const config = configOf(FULL_CONFIG);

  it("maps attributes, roles and scopes to each token", () => {
    // Act
    const result = buildUserCustomisation(config, ALICE);
    // Assess
    expect(Object.fromEntries(result.id.claims)).toEqual({
      tenant_id: "acme",
      seats: 25,
      display_name: "Alice Example",
      roles: ["admin", "member"],
    });
    expect(Object.fromEntries(result.access.claims)).toEqual({
      tenant_id: "acme",
      plan: "pro",
      seats: 25,
      roles: ["admin", "member"],
    });
    expect(result.id.suppress).toEqual(["phone_number"]);
    expect(result.access.scopesToAdd).toEqual(["api/read", "api/write"]);
    expect(result.access.scopesToSuppress).toEqual(["aws.cognito.signin.user.admin"]);
    expect(result.dropped).toEqual([]);
  });

  it("filters visible groups and derives IAM roles and the preferred role in list order", () => {
    // Act
    const result = buildUserCustomisation(config, ALICE);
    // Assess
    expect(result.groupOverride).toEqual({
      groupsToOverride: ["admins", "members"],
      iamRolesToOverride: [ADMIN_ROLE, MEMBER_ROLE],
      preferredRole: ADMIN_ROLE,
    });
  });

  it("suppresses a group-managed scope the user requested without being in its group", () => {
    // Prepare
    const bob: UserContext = { ...ALICE, groups: ["members"] };
    // Act
    const result = buildUserCustomisation(config, bob);
    // Assess
    expect(result.access.scopesToAdd).toEqual(["api/read"]);
    expect(result.access.scopesToSuppress).toEqual(["api/write", "aws.cognito.signin.user.admin"]);
    expect(result.access.claims.get("roles")).toEqual(["member"]);
  });

  it("lets a group's suppression win over another group's grant", () => {
    // Prepare
    const raw = {
      scopes: {
        groups: { a: { add: ["api/write", "api/read"] }, b: { suppress: ["api/write"] } },
        suppressUngranted: false,
      },
    };
    // Act
    const result = buildUserCustomisation(configOf(raw), { ...ALICE, groups: ["a", "b"] });
    // Assess
    expect(result.access.scopesToAdd).toEqual(["api/read"]);
    expect(result.access.scopesToSuppress).toEqual(["api/write"]);
  });

  it("leaves out a claim whose attribute is absent or does not convert, and says why", () => {
    // Prepare
    const user: UserContext = {
      ...ALICE,
      attributes: { name: "Alice Example", "custom:seats": "lots" },
    };
    // Act
    const result = buildUserCustomisation(config, user);
    // Assess
    expect([...result.id.claims.keys()]).toEqual(["display_name", "roles"]);
    expect(result.dropped).toEqual([{ claim: "seats", reason: "not a number" }]);
  });

  it("uses attribute values only as values: an attribute named like a reserved claim adds nothing", () => {
    // Prepare
    const user: UserContext = {
      ...ALICE,
      attributes: {
        ...ALICE.attributes,
        aud: "evil",
        "cognito:groups": "admins",
        scope: "api/write",
      },
      groups: [],
    };
    // Act
    const result = buildUserCustomisation(config, user);
    // Assess
    expect([...result.access.claims.keys()]).toEqual(["tenant_id", "plan", "seats", "roles"]);
    expect(result.access.scopesToAdd).toEqual([]);
  });

  it("gives no roles and suppresses every managed scope for a user in no group", () => {
    // Act
    const result = buildUserCustomisation(config, { ...ALICE, groups: [] });
    // Assess
    expect(result.id.claims.get("roles")).toEqual([]);
    expect(result.access.scopesToAdd).toEqual([]);
    expect(result.access.scopesToSuppress).toEqual([
      "api/read",
      "api/write",
      "aws.cognito.signin.user.admin",
    ]);
    expect(result.groupOverride).toEqual({ groupsToOverride: [], iamRolesToOverride: [] });
  });

  it("keeps Cognito's IAM roles when no preferred roles are configured", () => {
    // Prepare
    const raw = { groupOverride: { visibleGroups: ["admins"] } };
    // Act
    const result = buildUserCustomisation(configOf(raw), ALICE);
    // Assess
    expect(result.groupOverride).toEqual({
      groupsToOverride: ["admins"],
      iamRolesToOverride: ALICE.iamRoles,
      preferredRole: ALICE.preferredRole,
    });
  });

  it("drops claims that would exceed the per-token byte budget", () => {
    // Prepare
    const claims = Array.from({ length: 6 }, (_, i) => ({
      claim: `c${i}`,
      attribute: `custom:a${i}`,
      tokens: ["id"],
    }));
    const attributes = Object.fromEntries(claims.map((c) => [c.attribute, "x".repeat(2000)]));
    // Act
    const result = buildUserCustomisation(configOf({ claims }), { ...ALICE, attributes });
    // Assess
    expect([...result.id.claims.keys()]).toEqual(["c0", "c1", "c2", "c3"]);
    expect(result.dropped).toEqual([
      { claim: "c4", reason: "token claim budget exceeded" },
      { claim: "c5", reason: "token claim budget exceeded" },
    ]);
  });

  it("changes nothing under the empty configuration", () => {
    // Act
    const result = buildUserCustomisation(configOf({}), ALICE);
    // Assess
    expect(toV2Response(result, { m2m: false })).toEqual({
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: {}, claimsToSuppress: [] },
        accessTokenGeneration: {
          claimsToAddOrOverride: {},
          claimsToSuppress: [],
          scopesToAdd: [],
          scopesToSuppress: [],
        },
      },
    });
  });
});

describe("buildClientCustomisation", () => {
  const config = configOf(FULL_CONFIG);

  it("gives a configured M2M client its claims and scopes", () => {
    // Act
    const decision = buildClientCustomisation(config, M2M_CLIENT);
    // Assess
    if (decision.kind !== "customise") throw new Error("expected customise");
    expect(toV2Response(decision.customisation, { m2m: true })).toEqual({
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

  it("gives an unknown client nothing, or denies it when denyUnknownClients is set", () => {
    // Act
    const open = buildClientCustomisation(config, "unknownclient");
    const closed = buildClientCustomisation(
      configOf({ ...FULL_CONFIG, denyUnknownClients: true }),
      undefined,
    );
    // Assess
    if (open.kind !== "customise") throw new Error("expected customise");
    expect(open.customisation.access.claims.size).toBe(0);
    expect(open.customisation.access.scopesToAdd).toEqual([]);
    expect(closed).toEqual({ kind: "deny", reason: "client is not configured" });
  });
});

describe("V1 values", () => {
  it("carries strings unchanged and other types as JSON text", () => {
    // Act / Assess
    expect([toV1Value("acme"), toV1Value(25), toV1Value(true), toV1Value(["a", "b"])]).toEqual([
      "acme",
      "25",
      "true",
      '["a","b"]',
    ]);
  });

  it("writes only the ID token half, with the group override", () => {
    // Act
    const response = toV1Response(buildUserCustomisation(configOf(FULL_CONFIG), ALICE));
    // Assess
    expect(response).toEqual({
      claimsOverrideDetails: {
        claimsToAddOrOverride: {
          tenant_id: "acme",
          seats: "25",
          display_name: "Alice Example",
          roles: '["admin","member"]',
        },
        claimsToSuppress: ["phone_number"],
        groupOverrideDetails: {
          groupsToOverride: ["admins", "members"],
          iamRolesToOverride: [ADMIN_ROLE, MEMBER_ROLE],
          preferredRole: ADMIN_ROLE,
        },
      },
    });
  });
});
