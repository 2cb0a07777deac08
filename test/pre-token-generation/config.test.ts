import { ConfigError } from "../../shared/errors";
import {
  configuredScopes,
  EMPTY_CONFIG,
  loadPreTokenConfig,
} from "../../shared/pre-token-generation/config";
import { RESERVED_CLAIMS } from "../../shared/pre-token-generation/reserved";
import { configOf, envOf, FULL_CONFIG, M2M_CLIENT } from "./fixtures";

function loadError(raw: unknown, extra: Record<string, string> = {}): ConfigError {
  try {
    loadPreTokenConfig(envOf(raw, extra));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadPreTokenConfig", () => {
  it("gives the empty configuration when PRE_TOKEN_CONFIG is unset", () => {
    // Act
    const config = loadPreTokenConfig({});
    // Assess
    expect(config).toBe(EMPTY_CONFIG);
  });

  it("parses the full configuration with typed rules and no warnings", () => {
    // Act
    const config = loadPreTokenConfig(envOf(FULL_CONFIG));
    // Assess
    expect(config.claims.map((c) => [c.claim, c.type, c.tokens, c.grantsAccess])).toEqual([
      ["tenant_id", "string", ["id", "access"], true],
      ["plan", "string", ["access"], true],
      ["seats", "number", ["id", "access"], true],
      ["display_name", "string", ["id"], false],
    ]);
    expect(config.roles?.groups.get("admins")).toEqual(["admin", "member"]);
    expect(config.clients.get(M2M_CLIENT)?.claims.get("regions")).toEqual(["eu", "us"]);
    expect([...configuredScopes(config)].sort()).toEqual(["api/read", "api/write"]);
    expect(config.warnings).toEqual([]);
  });

  it("refuses malformed JSON naming the variable", () => {
    // Act
    const act = () => loadPreTokenConfig({ PRE_TOKEN_CONFIG: "{claims:" });
    // Assess
    expect(act).toThrow(new ConfigError("PRE_TOKEN_CONFIG", "is not valid JSON"));
  });

  it.each([
    [
      "an attribute mapping",
      { claims: [{ claim: "sub", attribute: "custom:x" }] },
      'PRE_TOKEN_CONFIG.claims[0].claim: "sub" is a reserved claim',
    ],
    [
      "a reserved name in another case",
      { claims: [{ claim: "Token_Use", attribute: "x" }] },
      '"Token_Use"',
    ],
    [
      "the cognito: prefix",
      { claims: [{ claim: "cognito:groups2", attribute: "x" }] },
      "cognito: prefix",
    ],
    ["scope as a claim", { claims: [{ claim: "scope", attribute: "x" }] }, '"scope"'],
    ["the roles claim", { roles: { claim: "cognito:roles", groups: {} } }, "roles.claim"],
    [
      "a suppressed claim",
      { suppressClaims: { access: ["client_id"] } },
      "suppressClaims.access[0]",
    ],
    [
      "an M2M client claim",
      { clients: { abc: { claims: { aud: "x" } } } },
      'PRE_TOKEN_CONFIG.clients.abc.claims.aud: "aud" is a reserved claim',
    ],
    [
      "a protected identity claim",
      { claims: [{ claim: "email_verified", attribute: "custom:v" }] },
      "Cognito-verified",
    ],
  ])("refuses %s onto a reserved claim, naming the problem", (_name, raw, fragment) => {
    // Act
    const error = loadError(raw);
    // Assess
    expect(error.variable).toBe("PRE_TOKEN_CONFIG");
    expect(error.message).toContain(fragment);
  });

  it("refuses every claim on Cognito's reserved list as a mapping target", () => {
    for (const claim of RESERVED_CLAIMS) {
      // Act
      const error = loadError({ claims: [{ claim, attribute: "custom:x" }] });
      // Assess
      expect(error.message).toContain(`"${claim}"`);
    }
  });

  it.each([
    [
      "an unknown top-level key",
      { claim: [] },
      "PRE_TOKEN_CONFIG.claim: unknown key (allowed: claims, suppressClaims,",
    ],
    [
      "an unknown mapping key",
      { claims: [{ claim: "a", attribute: "b", typo: 1 }] },
      "PRE_TOKEN_CONFIG.claims[0].typo: unknown key (allowed: claim, attribute,",
    ],
    [
      "an unknown type",
      { claims: [{ claim: "a", attribute: "b", type: "date" }] },
      "claims[0].type",
    ],
    [
      "an unknown token",
      { claims: [{ claim: "a", attribute: "b", tokens: ["refresh"] }] },
      "claims[0].tokens[0]",
    ],
    [
      "a claim written twice",
      {
        claims: [
          { claim: "a", attribute: "b" },
          { claim: "a", attribute: "c" },
        ],
      },
      'PRE_TOKEN_CONFIG.claims[1]: writes claim "a" to the id token, as PRE_TOKEN_CONFIG.claims[0] does',
    ],
    [
      "a claim both written and suppressed",
      { claims: [{ claim: "a", attribute: "b" }], suppressClaims: { id: ["a"] } },
      'suppresses "a"',
    ],
    [
      "a roles claim clashing with a mapping",
      { claims: [{ claim: "roles", attribute: "b" }], roles: { groups: {} } },
      "PRE_TOKEN_CONFIG.roles.claim: writes claim",
    ],
    ["a bad claim name", { claims: [{ claim: "a b", attribute: "b" }] }, "characters outside"],
    [
      "a bad scope",
      { scopes: { groups: { g: { add: ["a b"] } } } },
      'PRE_TOKEN_CONFIG.scopes.groups.g.add[0]: expected an OAuth scope, got "a b"',
    ],
    [
      "adding the self-service scope",
      { scopes: { groups: { g: { add: ["aws.cognito.signin.user.admin"] } } } },
      "cannot be added",
    ],
    [
      "a bad role ARN",
      { groupOverride: { preferredRoles: [{ group: "g", roleArn: "admin" }] } },
      'PRE_TOKEN_CONFIG.groupOverride.preferredRoles[0].roleArn: expected an IAM role ARN, got "admin"',
    ],
    [
      "an object M2M value",
      { clients: { abc: { claims: { n: { nested: true } } } } },
      "PRE_TOKEN_CONFIG.clients.abc.claims.n: expected a string, number, boolean or array of strings, got (an object)",
    ],
    [
      "an oversized M2M value",
      { clients: { abc: { claims: { s: "x".repeat(2049) } } } },
      "at most 2048 characters",
    ],
    [
      "an M2M integer JSON has already rounded (beyond Number.MAX_SAFE_INTEGER)",
      { clients: { abc: { claims: { n: 2 ** 53 } } } },
      "PRE_TOKEN_CONFIG.clients.abc.claims.n: expected an integer within ±9007199254740991",
    ],
    [
      "too many claims for a token",
      { claims: Array.from({ length: 31 }, (_, i) => ({ claim: `c${i}`, attribute: "a" })) },
      "at most 30",
    ],
  ])("refuses %s", (_name, raw, fragment) => {
    // Act
    const error = loadError(raw);
    // Assess
    expect(error.message).toContain(fragment);
  });

  it("warns when an access-granting claim comes from a user-writable attribute", () => {
    // Prepare
    const raw = { claims: [{ claim: "tenant_id", attribute: "custom:tenant_id" }] };
    // Act
    const config = configOf(raw);
    // Assess
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toContain('"custom:tenant_id"');
  });

  it("presumes every claim grants access: an ID-token-only claim from a mutable source warns too", () => {
    // Prepare: the authorizer can accept ID tokens and forward their claims to backends.
    const raw = {
      claims: [
        { claim: "display_name", attribute: "name", tokens: ["id"] },
        { claim: "team", attribute: "custom:team", tokens: ["access"] },
      ],
    };
    // Act
    const config = configOf(raw);
    // Assess
    expect(config.claims.map((c) => c.grantsAccess)).toEqual([true, true]);
    expect(config.warnings).toHaveLength(2);
    expect(config.warnings[0]).toContain('claim "display_name"');
    expect(config.warnings[0]).toContain('"name"');
  });

  it("refuses an ID-token-only claim from a mutable source when PRE_TOKEN_MUTABLE_SOURCE=error", () => {
    // Act
    const error = loadError(
      { claims: [{ claim: "tier", attribute: "custom:tier", tokens: ["id"] }] },
      { PRE_TOKEN_MUTABLE_SOURCE: "error" },
    );
    // Assess
    expect(error.variable).toBe("PRE_TOKEN_MUTABLE_SOURCE");
    expect(error.message).toContain('"custom:tier"');
  });

  it("does not warn for read-only sources, sub, cognito:user_status, or claims declared not to grant access", () => {
    // Prepare
    const raw = {
      claims: [
        { claim: "tenant_id", attribute: "custom:tenant_id" },
        { claim: "user_id", attribute: "sub" },
        { claim: "status", attribute: "cognito:user_status", tokens: ["id"] },
        { claim: "nickname2", attribute: "nickname", grantsAccess: false },
        { claim: "display_name", attribute: "name", tokens: ["id"], grantsAccess: false },
      ],
      readOnlyAttributes: ["custom:tenant_id"],
    };
    // Act
    const config = configOf(raw);
    // Assess
    expect(config.warnings).toEqual([]);
  });

  it("fails at cold start on a mutable access source when PRE_TOKEN_MUTABLE_SOURCE=error", () => {
    // Act
    const error = loadError(
      { claims: [{ claim: "tier", attribute: "custom:tier" }] },
      { PRE_TOKEN_MUTABLE_SOURCE: "error" },
    );
    // Assess
    expect(error.variable).toBe("PRE_TOKEN_MUTABLE_SOURCE");
    expect(error.message).toContain('"custom:tier"');
  });
});
