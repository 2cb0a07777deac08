/**
 * fast-check properties: no token failing any check is ever allowed, arbitrary input
 * never gets anything but 401, and the policy is the same whichever route asked.
 */
import fc from "fast-check";
import { createAuthorizerHandler } from "../../shared/authorizer/handler";
import { evaluatePolicy, type PolicyDocument } from "../../shared/authorizer/policy";
import { compileRoute, meetsRequirement } from "../../shared/authorizer/routes";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
import { createLogger } from "../../shared/logger";
import { captureOutput } from "../helpers/logs";
import {
  API_BASE,
  accessClaims,
  countingFetcher,
  generateKey,
  requestEvent,
  signHs256WithPublicKey,
  signJwt,
  TEST_ROUTES,
  testConfig,
  tokenEvent,
  unsignedJwt,
} from "./tokens";

const key = generateKey();
const stranger = generateKey("stranger");
const config = testConfig(key);
const handler = createAuthorizerHandler({
  config,
  verifier: createTokenVerifier(config, { fetcher: countingFetcher() }),
  logger: createLogger("authorizer"),
});

const PATHS = [
  "GET/hello",
  "GET/admin/users",
  "GET/admin/users/7/roles",
  "POST/items/42",
  "GET/public",
  "DELETE/public",
  "DELETE/items/42",
  "GET/",
];

let output: ReturnType<typeof captureOutput>;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
});

const now = (): number => Math.floor(Date.now() / 1000);

/** Each defect makes a token fail exactly one check (several may be combined). */
const DEFECTS = {
  expired: (c: Record<string, unknown>) => ({ ...c, exp: now() - 1 - (Number(c.iat) % 1000) }),
  notYetValid: (c: Record<string, unknown>) => ({ ...c, nbf: now() + 120 }),
  wrongIssuer: (c: Record<string, unknown>) => ({
    ...c,
    iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other",
  }),
  issuerLookalike: (c: Record<string, unknown>) => ({ ...c, iss: `${String(c.iss)}/` }),
  wrongClient: (c: Record<string, unknown>) => ({ ...c, client_id: "client1abcd" }),
  noClient: (c: Record<string, unknown>) => ({ ...c, client_id: undefined }),
  wrongTokenUse: (c: Record<string, unknown>) => ({ ...c, token_use: "id" }),
  noTokenUse: (c: Record<string, unknown>) => ({ ...c, token_use: undefined }),
} as const;
type ClaimDefect = keyof typeof DEFECTS;

const SIGNING_DEFECTS = [
  "unknownKey",
  "algNone",
  "hs256",
  "tamperPayload",
  "tamperSignature",
] as const;
type SigningDefect = (typeof SIGNING_DEFECTS)[number];

function makeToken(
  claims: Record<string, unknown>,
  signing: SigningDefect | "none",
  tamper: Record<string, unknown>,
): string {
  switch (signing) {
    case "unknownKey":
      return signJwt(stranger, claims);
    case "algNone":
      return `${unsignedJwt(key, claims)}sig`;
    case "hs256":
      return signHs256WithPublicKey(key, claims);
    case "tamperPayload": {
      const [h, , s] = signJwt(key, claims).split(".");
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, ...tamper })).toString("base64url")}.${s}`;
    }
    case "tamperSignature": {
      const [h, p, s = ""] = signJwt(key, claims).split(".");
      const bytes = Buffer.from(s, "base64url");
      const i = Number(tamper.index ?? 0) % bytes.length;
      bytes[i] = (bytes[i] ?? 0) ^ (1 + (Number(tamper.bit ?? 0) % 255));
      return `${h}.${p}.${bytes.toString("base64url")}`;
    }
    default:
      return signJwt(key, claims);
  }
}

const scopesArb = fc.subarray(["hello/read", "items/write", "admin", "other/x"]);
const groupsArb = fc.subarray(["admins", "members", "guests"]);
const pathArb = fc.constantFrom(...PATHS);

describe("properties", () => {
  it("never allows a token that fails any check (claims or signature)", async () => {
    const claimDefects = fc.subarray(Object.keys(DEFECTS) as ClaimDefect[]);
    const signing = fc.constantFrom<SigningDefect | "none">("none", ...SIGNING_DEFECTS);
    await fc.assert(
      fc.asyncProperty(
        claimDefects,
        signing,
        scopesArb,
        groupsArb,
        pathArb,
        fc.boolean(),
        fc.record({
          scope: fc.constant("hello/read items/write admin"),
          index: fc.nat(),
          bit: fc.nat(),
        }),
        async (defects, signingDefect, scopes, groups, path, asRequest, tamper) => {
          fc.pre(defects.length > 0 || signingDefect !== "none");
          let claims = accessClaims({ scope: scopes.join(" "), "cognito:groups": groups });
          for (const defect of defects) claims = DEFECTS[defect](claims);
          const token = makeToken(claims, signingDefect, tamper);
          const event = asRequest
            ? requestEvent({ Authorization: `Bearer ${token}` }, path)
            : tokenEvent(`Bearer ${token}`, path);
          await expect(handler(event)).rejects.toThrow(new Error("Unauthorized"));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers arbitrary input with 401 only (never a result, never another error)", async () => {
    const junk = fc.oneof(
      fc.string(),
      fc.string().map((s) => `Bearer ${s}`),
      fc
        .tuple(fc.base64String(), fc.base64String(), fc.base64String())
        .map((parts) => `Bearer ${parts.join(".").replace(/=/g, "")}`),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(junk, pathArb, fc.boolean(), async (value, path, asRequest) => {
        const event = asRequest
          ? requestEvent({ Authorization: value }, path)
          : tokenEvent(value, path);
        await expect(handler(event)).rejects.toThrow(new Error("Unauthorized"));
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (event) => {
        await expect(handler(event)).rejects.toThrow(new Error("Unauthorized"));
      }),
      { numRuns: 200 },
    );
  });

  it("a valid token gets the same decisions whichever route's request built the policy", async () => {
    const compiled = TEST_ROUTES.map((r) =>
      compileRoute(r.route, { scopes: r.scopes ?? [], groups: r.groups ?? [] }),
    );
    await fc.assert(
      fc.asyncProperty(scopesArb, groupsArb, pathArb, async (scopes, groups, path) => {
        // Prepare
        const token = signJwt(
          key,
          accessClaims({ scope: scopes.join(" "), "cognito:groups": groups }),
        );
        const principal = { scopes, groups } as unknown as Parameters<typeof meetsRequirement>[1];

        // Act
        const result = await handler(tokenEvent(`Bearer ${token}`, path));
        const policy = (result as { policyDocument: PolicyDocument }).policyDocument;

        // Assess: every route decided as its rule says, whichever path asked
        for (const target of PATHS) {
          const arn = `${API_BASE}${target}`;
          const decision = evaluatePolicy(policy, arn);
          const [method = "", ...rest] = target.split("/");
          const segments = rest.filter(Boolean);
          const rule = compiled.find((r) => {
            const [rm = "", ...rp] = r.resource.split("/");
            const rs = rp.filter(Boolean);
            const methodOk = rm === "*" || rm === method;
            const lastStar = rs.at(-1) === "*";
            const pathOk = lastStar
              ? segments.length >= rs.length && rs.every((s, i) => s === "*" || s === segments[i])
              : segments.length === rs.length && rs.every((s, i) => s === "*" || s === segments[i]);
            return methodOk && pathOk;
          });
          const expected =
            rule !== undefined && meetsRequirement(rule, principal) ? "allow" : "deny";
          expect(decision).toBe(expected);
        }
      }),
      { numRuns: 100 },
    );
  });
});
