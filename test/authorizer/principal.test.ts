/**
 * The principal and context read from verified claims (shared/authorizer/principal.ts): the
 * scope and group lists as the token spells them, whatever the spacing or the junk in them.
 */
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import fc from "fast-check";
import { authorizerContext, principalFromClaims } from "../../shared/authorizer/principal";

const claims = (extra: Record<string, unknown>) =>
  ({ sub: "s-1", token_use: "access", client_id: "c", username: "u", ...extra }) as JwtPayload;

describe("principalFromClaims and authorizerContext", () => {
  test("scopes: split on spaces, runs and ends of spaces name no scope", () => {
    for (const [scope, scopes] of [
      ["a/read", ["a/read"]],
      ["a/read b/write", ["a/read", "b/write"]],
      ["  a/read   b/write ", ["a/read", "b/write"]],
      ["", []],
      [" ", []],
      [undefined, []],
      [42, []],
    ] as const) {
      // Act
      const principal = principalFromClaims(claims({ scope }), []);

      // Assess
      expect(principal.scopes).toEqual(scopes);
      expect(authorizerContext(principal).scopes).toBe(scopes.join(" "));
    }
  });

  test("groups: the strings of cognito:groups, comma-joined in the context", () => {
    for (const [groups, kept] of [
      [["admins"], ["admins"]],
      [
        ["admins", "members"],
        ["admins", "members"],
      ],
      [
        ["admins", 7, null, "members"],
        ["admins", "members"],
      ],
      [[], []],
      ["admins", []],
    ] as const) {
      // Act
      const principal = principalFromClaims(claims({ "cognito:groups": groups }), []);

      // Assess
      expect(principal.groups).toEqual(kept);
      expect(authorizerContext(principal).groups).toBe(kept.join(","));
    }
  });

  test("property: scopes and groups are what split/filter and filter/join make of the claims", () => {
    const word = fc.stringMatching(/^[a-z/]{0,4}$/);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(word, fc.constant(" "), fc.constant("  ")), { maxLength: 6 }),
        fc.array(fc.oneof(word, fc.integer(), fc.constant(null)), { maxLength: 4 }),
        (parts, groups) => {
          // Prepare
          const scope = parts.join(" ");

          // Act
          const principal = principalFromClaims(claims({ scope, "cognito:groups": groups }), []);
          const context = authorizerContext(principal);

          // Assess
          const scopes = scope.split(" ").filter(Boolean);
          const strings = groups.filter((g): g is string => typeof g === "string");
          expect(principal.scopes).toEqual(scopes);
          expect(principal.groups).toEqual(strings);
          expect(context.scopes).toBe(scopes.join(" "));
          expect(context.groups).toBe(strings.join(","));
        },
      ),
      { numRuns: 300 },
    );
  });
});
