import fc from "fast-check";
import { ConfigError } from "../../shared/errors";
import { createLogger } from "../../shared/logger";
import { convertAttribute } from "../../shared/pre-token-generation/claims";
import {
  configuredScopes,
  loadPreTokenConfig,
  type PreTokenConfig,
} from "../../shared/pre-token-generation/config";
import {
  CLIENT_DENIED_MESSAGE,
  createPreTokenGenerationHandler,
  type PreTokenEvent,
} from "../../shared/pre-token-generation/handler";
import {
  isForbiddenTarget,
  isReservedClaim,
  RESERVED_CLAIMS,
} from "../../shared/pre-token-generation/reserved";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { envOf } from "./fixtures";

type Json = Record<string, unknown>;

// ---- arbitraries: configuration documents that are sometimes invalid on purpose ----

const dangerousNames = [
  ...RESERVED_CLAIMS,
  "Sub",
  "COGNITO:GROUPS",
  "cognito:anything",
  "email_verified",
  "email",
];
const safeName = fc.oneof(
  fc.constantFrom("tenant_id", "plan", "roles", "tier", "__proto__", "constructor"),
  fc.stringMatching(/^[a-z][a-z_:]{0,10}$/),
);
/** Claim names, a third of them reserved or protected (most documents are then refused). */
const anyName = fc.oneof(fc.constantFrom(...dangerousNames), safeName, safeName);
/** Claim names, rarely dangerous (most documents load, so outputs get exercised). */
const mostlySafeName = fc.oneof(
  { arbitrary: fc.constantFrom(...dangerousNames), weight: 1 },
  { arbitrary: safeName, weight: 30 },
);
const attributeName = fc.constantFrom(
  "custom:tenant_id",
  "custom:plan",
  "custom:tier",
  "email",
  "name",
  "sub",
  "aud",
  "cognito:groups",
);
const groupName = fc.constantFrom("admins", "members", "ops", "__proto__", "constructor");
const scopeName = fc.oneof(
  fc.constantFrom("api/read", "api/write", "openid", "aws.cognito.signin.user.admin"),
  fc.stringMatching(/^[a-z]{1,4}\/[a-z]{1,4}$/),
);
/** Scopes a configuration may add (adding the self-service scope is refused: see config tests). */
const addableScope = scopeName.filter((s) => s !== "aws.cognito.signin.user.admin");
const token = fc.constantFrom("id", "access");
const clientId = fc.constantFrom("m2mclient1", "m2mclient2", "otherclient");
const claimValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
);

const scopeChange = fc.record(
  {
    add: fc.array(addableScope, { maxLength: 3 }),
    suppress: fc.array(scopeName, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const configDocumentWith = (claimName: fc.Arbitrary<string>) =>
  fc.record(
    {
      claims: fc.array(
        fc.record(
          {
            claim: claimName,
            attribute: attributeName,
            type: fc.constantFrom("string", "number", "boolean", "stringList"),
            tokens: fc.uniqueArray(token, { minLength: 1, maxLength: 2 }),
          },
          { requiredKeys: ["claim", "attribute"] },
        ),
        { maxLength: 5 },
      ),
      suppressClaims: fc.record({
        id: fc.array(claimName, { maxLength: 1 }),
        access: fc.array(claimName, { maxLength: 1 }),
      }),
      roles: fc.record({
        claim: claimName,
        groups: fc.dictionary(
          groupName,
          fc.array(fc.constantFrom("admin", "member", "sub"), { maxLength: 2 }),
        ),
      }),
      scopes: fc.record({
        groups: fc.dictionary(groupName, scopeChange),
        suppress: fc.array(scopeName, { maxLength: 2 }),
        suppressUngranted: fc.boolean(),
      }),
      clients: fc.dictionary(
        clientId,
        fc.record({
          claims: fc.dictionary(claimName, claimValue, { maxKeys: 3 }),
          scopes: scopeChange,
        }),
      ),
      denyUnknownClients: fc.boolean(),
    },
    { requiredKeys: [] },
  );
const configDocument = configDocumentWith(anyName);
const mostlyValidDocument = configDocumentWith(mostlySafeName);

// ---- arbitraries: events of every version and source, with hostile attributes ----

const userSource = fc.constantFrom(
  "TokenGeneration_HostedAuth",
  "TokenGeneration_Authentication",
  "TokenGeneration_NewPasswordChallenge",
  "TokenGeneration_AuthenticateDevice",
  "TokenGeneration_RefreshTokens",
);
const attributes = fc.dictionary(
  fc.oneof(attributeName, fc.constantFrom(...RESERVED_CLAIMS), fc.string({ maxLength: 12 })),
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom("sub", "true", "42", "admin,sub", '{"sub":"x"}'),
  ),
);
const eventArb = fc.oneof(
  fc.record({
    version: fc.constantFrom("0", "1", "2", "3"),
    triggerSource: userSource,
    userPoolId: fc.constant("eu-west-1_EXAMPLE1"),
    userName: fc.constant("user"),
    callerContext: fc.record({ awsSdkVersion: fc.constant("x"), clientId }),
    request: fc.record({
      userAttributes: attributes,
      groupConfiguration: fc.record({ groupsToOverride: fc.array(groupName, { maxLength: 4 }) }),
      scopes: fc.array(scopeName, { maxLength: 4 }),
    }),
    response: fc.constant({}),
  }),
  fc.record({
    version: fc.constant("3"),
    triggerSource: fc.constant("TokenGeneration_ClientCredentials"),
    userPoolId: fc.constant("eu-west-1_EXAMPLE1"),
    callerContext: fc.record({ awsSdkVersion: fc.constant("x"), clientId }),
    request: fc.record({
      userAttributes: fc.constant({}),
      scopes: fc.array(scopeName, { maxLength: 3 }),
    }),
    response: fc.constant({}),
  }),
);

/** Parse a document, or undefined when it is refused, which must be with a ConfigError. */
function tryLoad(doc: unknown): PreTokenConfig | undefined {
  try {
    return loadPreTokenConfig(envOf(doc));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.variable).toBe("PRE_TOKEN_CONFIG");
    return undefined;
  }
}

/** Every (claims-added, claims-suppressed, scopes-added, scopes-suppressed) part of a response. */
function parts(response: Json): {
  added: string[];
  suppressed: string[];
  scopesAdded: string[];
  scopesSuppressed: string[];
} {
  const out = {
    added: [] as string[],
    suppressed: [] as string[],
    scopesAdded: [] as string[],
    scopesSuppressed: [] as string[],
  };
  const token = (t: Json | undefined) => {
    if (!t) return;
    out.added.push(...Object.keys((t.claimsToAddOrOverride as Json | undefined) ?? {}));
    out.suppressed.push(...((t.claimsToSuppress as string[] | undefined) ?? []));
    out.scopesAdded.push(...((t.scopesToAdd as string[] | undefined) ?? []));
    out.scopesSuppressed.push(...((t.scopesToSuppress as string[] | undefined) ?? []));
  };
  const v1 = response.claimsOverrideDetails as Json | undefined;
  token(v1);
  const v2 = response.claimsAndScopeOverrideDetails as Json | undefined;
  token(v2?.idTokenGeneration as Json | undefined);
  token(v2?.accessTokenGeneration as Json | undefined);
  return out;
}

function everyConfiguredScope(config: PreTokenConfig): Set<string> {
  const all = configuredScopes(config);
  for (const s of config.scopes.suppress) all.add(s);
  for (const change of config.scopes.groups.values()) for (const s of change.suppress) all.add(s);
  for (const client of config.clients.values()) for (const s of client.scopes.suppress) all.add(s);
  return all;
}

function configuredClaimNames(config: PreTokenConfig): Set<string> {
  const names = new Set(config.claims.map((c) => c.claim));
  if (config.roles) names.add(config.roles.claim);
  for (const client of config.clients.values())
    for (const name of client.claims.keys()) names.add(name);
  return names;
}

describe("pre-token-generation properties", () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
  });

  it("refuses, at load, any configuration that writes or suppresses a reserved claim", () => {
    fc.assert(
      fc.property(configDocument, (doc) => {
        const config = tryLoad(doc);
        if (!config) return;
        for (const rule of config.claims) expect(isForbiddenTarget(rule.claim)).toBe(false);
        if (config.roles) expect(isForbiddenTarget(config.roles.claim)).toBe(false);
        for (const name of [...config.suppressClaims.id, ...config.suppressClaims.access]) {
          expect(isReservedClaim(name)).toBe(false);
        }
        for (const client of config.clients.values()) {
          for (const name of client.claims.keys()) expect(isForbiddenTarget(name)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never outputs a reserved claim, a claim the configuration does not name, or a scope outside the configured map", async () => {
    await fc.assert(
      fc.asyncProperty(mostlyValidDocument, eventArb, async (doc, input) => {
        const config = tryLoad(doc);
        fc.pre(config !== undefined);
        if (!config) return;
        const handler = createPreTokenGenerationHandler({
          config,
          logger: createLogger("preTokenGeneration"),
        });
        let result: PreTokenEvent;
        try {
          result = await handler(structuredClone(input) as unknown as PreTokenEvent);
        } catch (error) {
          // The only refusal: an M2M client outside the map when denyUnknownClients is set.
          expect((error as Error).message).toBe(CLIENT_DENIED_MESSAGE);
          expect(config.denyUnknownClients).toBe(true);
          return;
        }
        const { added, suppressed, scopesAdded, scopesSuppressed } = parts(result.response as Json);
        const names = configuredClaimNames(config);
        for (const name of added) {
          expect(isForbiddenTarget(name)).toBe(false);
          expect(names.has(name)).toBe(true);
        }
        for (const name of suppressed) expect(isReservedClaim(name)).toBe(false);
        const adds = configuredScopes(config);
        for (const s of scopesAdded) expect(adds.has(s)).toBe(true);
        const all = everyConfiguredScope(config);
        for (const s of scopesSuppressed) expect(all.has(s)).toBe(true);
        // A scope is never both added and suppressed.
        for (const s of scopesAdded) expect(scopesSuppressed).not.toContain(s);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- number claims: a value never stands for two different inputs ----

/** Decimal numerals as a user could type them into an attribute. */
const numeral = fc.stringMatching(/^-?(0|[1-9]\d{0,24})(\.\d{1,25})?([eE][+-]?\d{1,3})?$/);

/** Pairs of numerals that round to the same double, plus unrelated pairs. */
const numeralPair = fc.oneof(
  fc.tuple(numeral, numeral),
  // A double's shortest form, and the same with digits appended (the double cannot hold them).
  fc
    .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.stringMatching(/^\d{1,6}$/))
    .map(([d, extra]): [string, string] => {
      const [mantissa = "", exponent] = String(d).split("e");
      const longer = `${mantissa}${mantissa.includes(".") ? "" : "."}${extra}`;
      return [String(d), exponent === undefined ? longer : `${longer}e${exponent}`];
    }),
  // Neighbouring integers around and past 2^53.
  fc
    .bigInt({ min: 2n ** 53n - 8n, max: 2n ** 64n })
    .map((n): [string, string] => [String(n), String(n + 1n)]),
  // Values too small for a double next to zero.
  fc.integer({ min: 324, max: 999 }).map((e): [string, string] => [`1e-${e}`, "0"]),
);

/** The exact rational a numeral denotes, as sign, integer mantissa and power of ten. */
function exactDecimal(raw: string): { negative: boolean; mantissa: bigint; exponent: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(raw.trim());
  if (!m) throw new Error(`not a numeral: ${raw}`);
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = m;
  return {
    negative: sign === "-",
    mantissa: BigInt(`${whole}${fraction}`),
    exponent: Number(exponent) - fraction.length,
  };
}

/** Whether two numerals denote the same number exactly (BigInt arithmetic, no rounding). */
function sameNumber(a: string, b: string): boolean {
  const x = exactDecimal(a);
  const y = exactDecimal(b);
  if (x.mantissa === 0n || y.mantissa === 0n) return x.mantissa === y.mantissa;
  if (x.negative !== y.negative) return false;
  const low = Math.min(x.exponent, y.exponent);
  const scale = (d: typeof x) => d.mantissa * 10n ** BigInt(d.exponent - low);
  return scale(x) === scale(y);
}

describe("number claims (type: number)", () => {
  it("never give two different numbers the same claim value", () => {
    fc.assert(
      fc.property(numeralPair, ([a, b]) => {
        const x = convertAttribute(a, "number");
        const y = convertAttribute(b, "number");
        if (!x.ok || !y.ok) return;
        if (x.value === y.value) expect(sameNumber(a, b)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it("accept only finite values, safe integers, and non-zero inputs as non-zero values", () => {
    fc.assert(
      fc.property(numeral, (raw) => {
        const result = convertAttribute(raw, "number");
        if (!result.ok) return;
        const value = result.value as number;
        expect(Number.isFinite(value)).toBe(true);
        if (Number.isInteger(value)) expect(Number.isSafeInteger(value)).toBe(true);
        expect(value === 0).toBe(exactDecimal(raw).mantissa === 0n);
        // What the token carries converts back to itself.
        expect(convertAttribute(String(value), "number")).toEqual(result);
      }),
      { numRuns: 1000 },
    );
  });
});
