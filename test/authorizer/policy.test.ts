/**
 * Route matching, policy building and IAM wildcard matching, as pure functions.
 */
import fc from "fast-check";
import {
  buildPolicy,
  type ExecuteApiArn,
  evaluatePolicy,
  parseExecuteApiArn,
  patternsIntersect,
  resourceMatches,
} from "../../shared/authorizer/policy";
import {
  type CompiledRoute,
  compileRoute,
  type Principal,
  routeMatches,
} from "../../shared/authorizer/routes";

const BASE = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/";

function principal(groups: string[] = [], scopes: string[] = []): Principal {
  return { sub: "s", username: "u", clientId: "c", tokenUse: "access", scopes, groups, claims: {} };
}

function api(path: string): ExecuteApiArn {
  const parsed = parseExecuteApiArn(BASE + path);
  if (parsed === undefined) throw new Error(`bad test ARN ${path}`);
  return parsed;
}

function rules(...specs: [string, string[]?][]): CompiledRoute[] {
  return specs.map(([route, groups = []]) => compileRoute(route, { scopes: [], groups }));
}

describe("routeMatches: exact, segment by segment", () => {
  it.each([
    ["POST /items/{id}", "POST", "items/42", true],
    ["POST /items/{id}", "POST", "items/42/refund", false],
    ["POST /items/{id}", "POST", "items/", false],
    ["POST /items/{id}", "POST", "items", false],
    ["POST /items/{id}", "GET", "items/42", false],
    ["GET /admin/*", "GET", "admin/users", true],
    ["GET /admin/*", "GET", "admin/users/7", false],
    ["GET /files/{path+}", "GET", "files/a", true],
    ["GET /files/{path+}", "GET", "files/a/b/c", true],
    ["GET /files/{path+}", "GET", "files", false],
    ["GET /files/{path+}", "GET", "files/a//c", false],
    ["ANY /public", "DELETE", "public", true],
    ["ANY /public", "DELETE", "users/7/public", false],
    ["* /public", "OPTIONS", "public", true],
    ["GET /", "GET", "", true],
    ["GET /", "GET", "x", false],
    ["GET /hello", "GET", "hello/x", false],
  ])("%s names %s %s: %s", (route, method, path, expected) => {
    const rule = compileRoute(route, { scopes: [], groups: [] });
    expect(routeMatches(rule, method, path)).toBe(expected);
  });
});

describe("buildPolicy", () => {
  it("never puts * in the method position: ANY becomes one resource per method", () => {
    const policy = buildPolicy(
      principal(),
      rules(["ANY /public"]),
      api("GET/public"),
      `${BASE}GET/public`,
    );
    const resources = policy.Statement.flatMap((s) => s.Resource);
    expect(resources).toHaveLength(7);
    expect(
      resources.every((r) => r.startsWith(BASE) && !r.slice(BASE.length).startsWith("*")),
    ).toBe(true);
    expect(evaluatePolicy(policy, `${BASE}DELETE/users/7/public`)).toBe("deny");
  });

  it("denies a failed deeper rule that a met broader rule covers", () => {
    const routes = rules(["POST /items/{id}"], ["POST /items/{id}/refund", ["admins"]]);
    const arn = `${BASE}POST/items/1`;

    const policy = buildPolicy(principal(), routes, api("POST/items/1"), arn);

    expect(policy.Statement).toEqual([
      { Action: "execute-api:Invoke", Effect: "Allow", Resource: [`${BASE}POST/items/*`] },
      { Action: "execute-api:Invoke", Effect: "Deny", Resource: [`${BASE}POST/items/*/refund`] },
    ]);
  });

  it("never denies a met deeper rule because a broader rule failed", () => {
    // Prepare: admins may refund, but may not update items
    const routes = rules(
      ["POST /items/{id}", ["editors"]],
      ["POST /items/{id}/refund", ["admins"]],
    );
    const arn = `${BASE}POST/items/1/refund`;

    // Act
    const policy = buildPolicy(principal(["admins"]), routes, api("POST/items/1/refund"), arn);

    // Assess: no Deny of POST/items/* (it would deny the refund); POST/items/7 denied implicitly
    expect(policy.Statement).toEqual([
      { Action: "execute-api:Invoke", Effect: "Allow", Resource: [`${BASE}POST/items/*/refund`] },
    ]);
    expect(evaluatePolicy(policy, `${BASE}POST/items/7/refund`)).toBe("allow");
    expect(evaluatePolicy(policy, `${BASE}POST/items/7`)).toBe("deny");
  });

  it("denies a failed rule that crosses a met one (neither contains the other): fail closed", () => {
    // Prepare: GET /a/{id} for everyone, GET /{x}/b/c for admins only
    const routes = rules(["GET /a/{id}"], ["GET /{x}/b/c", ["admins"]]);
    const arn = `${BASE}GET/a/1`;

    // Act: the policy API Gateway caches for this token, from a request to /a/1
    const policy = buildPolicy(principal(), routes, api("GET/a/1"), arn);

    // Assess: the cached Allow of GET/a/* must not reach the admins' /a/b/c
    expect(evaluatePolicy(policy, arn)).toBe("allow");
    expect(evaluatePolicy(policy, `${BASE}GET/a/b/c`)).toBe("deny");
    expect(evaluatePolicy(policy, `${BASE}GET/z/b/c`)).toBe("deny");
  });

  it("ORs the rules of one route: a failed rule does not deny what another allows", () => {
    const routes = rules(["GET /hello", ["admins"]], ["GET /hello", ["members"]]);
    const arn = `${BASE}GET/hello`;
    const policy = buildPolicy(principal(["members"]), routes, api("GET/hello"), arn);
    expect(policy.Statement.map((s) => s.Effect)).toEqual(["Allow"]);
    expect(evaluatePolicy(policy, arn)).toBe("allow");
  });

  it("denies the request ARN when the rules deny it but a pattern covers it", () => {
    const routes = rules(["POST /items/{id}"]);
    const arn = `${BASE}POST/items/1/refund`;

    const policy = buildPolicy(principal(), routes, api("POST/items/1/refund"), arn);

    expect(policy.Statement).toEqual([
      { Action: "execute-api:Invoke", Effect: "Allow", Resource: [`${BASE}POST/items/*`] },
      { Action: "execute-api:Invoke", Effect: "Deny", Resource: [arn] },
    ]);
    expect(evaluatePolicy(policy, `${BASE}POST/items/2`)).toBe("allow");
  });
});

describe("patternsIntersect", () => {
  it.each([
    ["GET/a/*", "GET/*/b/c", true],
    ["GET/items/*", "GET/items/*/refund", true],
    ["GET/a/*", "POST/a/*", false],
    ["GET/x/*/y", "GET/x/z", false],
    ["a*b", "a*c", false],
    ["a*", "*b", true],
    ["**a", "b*", true],
    ["a?c", "abc", true],
    ["", "", true],
    ["*", "", true],
    ["a", "", false],
  ])("%s and %s: %s (both orders)", (a, b, expected) => {
    expect(patternsIntersect(a, b)).toBe(expected);
    expect(patternsIntersect(b, a)).toBe(expected);
  });

  it("agrees with matching: patterns that both match a text intersect", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "b", "/", "*", "?"), maxLength: 5 }),
        fc.string({ unit: fc.constantFrom("a", "b", "/", "*", "?"), maxLength: 5 }),
        fc.string({ unit: fc.constantFrom("a", "b", "/"), maxLength: 8 }),
        (a, b, text) => {
          if (resourceMatches(a, text) && resourceMatches(b, text)) {
            expect(patternsIntersect(a, b)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("patternsIntersect is exact", () => {
  it("true exactly when some text matches both (every text up to the patterns' total length)", () => {
    // A shortest common text needs at most one character per literal or `?` of the two.
    const texts: string[] = [""];
    for (let n = 1; n <= 8; n++) {
      for (const t of texts.filter((x) => x.length === n - 1)) texts.push(`${t}a`, `${t}b`);
    }
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 4 }),
        fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 4 }),
        (a, b) => {
          const witness = texts.some((t) => resourceMatches(a, t) && resourceMatches(b, t));
          expect(patternsIntersect(a, b)).toBe(witness);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("resourceMatches", () => {
  it("answers pathological patterns and texts (many *) correctly", () => {
    // Prepare: with a backtracking regex each of these takes exponential time
    const stars = `${BASE}GET/x/${"*a".repeat(60)}b`;
    const text = `${BASE}GET/x/${"a".repeat(200)}`;

    // Act + Assess
    expect(resourceMatches(stars, text)).toBe(false);
    expect(resourceMatches(stars, `${text}b`)).toBe(true);
    expect(resourceMatches(stars, stars)).toBe(true);
    expect(resourceMatches(`${BASE}GET/x/*/*/*/end`, `${BASE}GET/x/${"a/".repeat(800)}nope`)).toBe(
      false,
    );
    expect(resourceMatches(`${"*?".repeat(100)}z`, "y".repeat(1000))).toBe(false);
  });

  it.each([
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["a*", "a", true],
    ["*a", "ba", true],
    ["*a", "ab", false],
    ["a*b*c", "a-b-b-c", true],
    ["a*b*c", "a-c-b", false],
    ["?", "/", true],
    ["a**b", "ab", true],
  ])("%j matches %j: %s", (pattern, text, expected) => {
    expect(resourceMatches(pattern, text)).toBe(expected);
  });
});
