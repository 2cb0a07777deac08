/**
 * fast-check properties: no token failing any check is ever allowed, arbitrary input
 * never gets anything but 401, the current request is decided exactly as the rules say
 * (`{param}` and `*` one segment), and the policy decides every route of the API the same
 * whichever route asked.
 */
import fc from "fast-check";
import { createAuthorizerHandler } from "../../shared/authorizer/handler";
import { createAuthorizerLogger as createLogger } from "../../shared/authorizer/log";
import { evaluatePolicy, type PolicyDocument } from "../../shared/authorizer/policy";
import { createTokenVerifier } from "../../shared/authorizer/verifier";
import { captureOutput } from "../helpers/logs";
import {
  API_BASE,
  accessClaims,
  countingFetcher,
  generateKey,
  httpEvent,
  requestEvent,
  signHs256WithPublicKey,
  signJwt,
  testConfig,
  tokenEvent,
  unsignedJwt,
} from "./tokens";

const key = generateKey();
const stranger = generateKey("stranger");

/**
 * The API's routes: OR'd rules for one route, a `*` segment, a deeper rule under a
 * `{param}` rule, a greedy parameter, and an ANY rule.
 */
const ROUTES: readonly { route: string; scopes?: string[]; groups?: string[] }[] = [
  { route: "GET /hello", scopes: ["hello/read"] },
  { route: "GET /hello", groups: ["members"] },
  { route: "GET /admin/*", groups: ["admins"] },
  { route: "POST /items/{id}", scopes: ["items/write"] },
  { route: "POST /items/{id}/refund", groups: ["admins"] },
  { route: "DELETE /items/*", scopes: ["admin"] },
  { route: "GET /files/{path+}", scopes: ["other/x"] },
  { route: "ANY /public" },
];
const config = testConfig(key, { policy: { routes: ROUTES } });
const handler = createAuthorizerHandler({
  config,
  verifier: createTokenVerifier(config, { fetcher: countingFetcher() }),
  logger: createLogger("authorizer"),
});

const PATHS = [
  "GET/hello",
  "GET/hello/x",
  "GET/admin/users",
  "GET/admin/users/7/roles",
  "POST/items/42",
  "POST/items/42/refund",
  "POST/items/42/cancel",
  "POST/items/42/refund/x",
  "DELETE/items/42",
  "DELETE/items/42/notes",
  "GET/files",
  "GET/files/a",
  "GET/files/a/b/c",
  "GET/public",
  "DELETE/public",
  "DELETE/users/7/public",
  "POST/hello/public",
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

  it("decides the request exactly, and every route of the API the same whichever route asked", async () => {
    await fc.assert(
      fc.asyncProperty(scopesArb, groupsArb, pathArb, async (scopes, groups, path) => {
        // Prepare
        const token = signJwt(
          key,
          accessClaims({ scope: scopes.join(" "), "cognito:groups": groups }),
        );
        const expected = (target: string): "allow" | "deny" =>
          ROUTES.some((r) => ruleNames(r.route, target) && meets(r, scopes, groups))
            ? "allow"
            : "deny";

        // Act
        const rest = await handler(tokenEvent(`Bearer ${token}`, path));
        const http = await handler(httpEvent({ authorization: `Bearer ${token}` }, path));
        const policy = (rest as { policyDocument: PolicyDocument }).policyDocument;

        // Assess: the current request, REST and HTTP API, as the rules say
        expect(evaluatePolicy(policy, `${API_BASE}${path}`)).toBe(expected(path));
        expect((http as { isAuthorized: boolean }).isAuthorized).toBe(expected(path) === "allow");
        // ...and, as API Gateway reuses the cached policy, every route a rule names. (A path no
        // rule names below a `{param}` or `*` rule the token meets is allowed by a cached
        // policy: IAM's `*` spans `/`. API Gateway never routes such a path unless the API
        // has that route, which is why every route of the API needs a rule; docs/authorizer.md.)
        for (const target of PATHS.filter((t) => ROUTES.some((r) => ruleNames(r.route, t)))) {
          expect([target, evaluatePolicy(policy, `${API_BASE}${target}`)]).toEqual([
            target,
            expected(target),
          ]);
        }
      }),
      { numRuns: 200 },
    );
  });
});

// The oracle, written apart from shared/authorizer/routes.ts: the documented semantics.
const METHODS = "(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)";
const ONE = "[^/]+";

/** True when the rule `METHOD /path` names `target` (`METHOD/path`): `{p}` and `*` one segment, `{p+}` one or more. */
function ruleNames(route: string, target: string): boolean {
  const [method = "", path = ""] = route.split(" ");
  const segments = path
    .slice(1)
    .split("/")
    .map((s) => {
      if (s === "*" || /^\{\w+\}$/.test(s)) return ONE;
      if (/^\{\w+\+\}$/.test(s)) return `${ONE}(?:/${ONE})*`;
      return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    });
  const verb = method === "ANY" || method === "*" ? METHODS : method;
  return new RegExp(`^${verb}/${segments.join("/")}$`).test(target);
}

function meets(
  rule: { scopes?: string[]; groups?: string[] },
  scopes: readonly string[],
  groups: readonly string[],
): boolean {
  const any = (need: string[] | undefined, held: readonly string[]) =>
    need === undefined || need.length === 0 || need.some((n) => held.includes(n));
  return any(rule.scopes, scopes) && any(rule.groups, groups);
}
