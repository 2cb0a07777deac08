/**
 * Event narrowing: the Authorization value is read exactly as the rule says -- `Bearer`
 * in any case, one or more spaces, then the JWT (three non-empty dot-separated segments;
 * the characters are aws-jwt-verify's check); in TOKEN mode also the bare JWT. The prefix
 * and dot checks that replaced two regexes (bench: ~1 us per request) are held to the
 * rule, written as a regex, by a property over strings made of the characters that matter.
 */
import fc from "fast-check";
import { parseAuthorizerEvent } from "../../shared/authorizer/event";

const ARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/hello";
const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
const JWT_SHAPE = /^[^.]+\.[^.]+\.[^.]+$/;

/** The rule as regexes: the token the value yields, or undefined (refused). */
function reference(value: string, allowRaw: boolean): string | undefined {
  const bearer = /^bearer +(.+)$/is.exec(value.trim());
  const token = bearer ? bearer[1] : allowRaw ? value.trim() : undefined;
  return token !== undefined && JWT_SHAPE.test(token) ? token : undefined;
}

function tokenOf(value: string, shape: "TOKEN" | "REQUEST"): string | undefined {
  const event =
    shape === "TOKEN"
      ? { type: "TOKEN", authorizationToken: value, methodArn: ARN }
      : { type: "REQUEST", methodArn: ARN, headers: { Authorization: value } };
  const request = parseAuthorizerEvent(event, 8192);
  return request.kind === "ok" ? request.token : undefined;
}

describe("Authorization value", () => {
  it.each([
    ["Bearer JWT", `Bearer ${JWT}`, JWT, JWT],
    ["lower-case scheme, several spaces, padding", `  bearer   ${JWT} `, JWT, JWT],
    ["upper-case scheme", `BEARER ${JWT}`, JWT, JWT],
    ["bare JWT", JWT, JWT, undefined],
    // In TOKEN mode the whole value is a JWT-shaped string (its verification then fails).
    ["no space after the scheme", `Bearer${JWT}`, `Bearer${JWT}`, undefined],
    // TOKEN mode: a raw token whose characters aws-jwt-verify then refuses.
    ["tab after the scheme", `Bearer\t${JWT}`, `Bearer\t${JWT}`, undefined],
    [
      "empty signature (alg none)",
      `Bearer ${JWT.slice(0, JWT.lastIndexOf(".") + 1)}`,
      undefined,
      undefined,
    ],
    ["four segments", `Bearer ${JWT}.x`, undefined, undefined],
    ["empty header", `Bearer ${JWT.slice(JWT.indexOf("."))}`, undefined, undefined],
    ["scheme only", "Bearer ", undefined, undefined],
    ["another scheme", `Basic ${JWT}`, `Basic ${JWT}`, undefined],
    ["two tokens", `Bearer ${JWT} ${JWT}`, undefined, undefined],
  ])("%s", (_name, value, inTokenMode, inRequestMode) => {
    expect(tokenOf(value, "TOKEN")).toBe(inTokenMode);
    expect(tokenOf(value, "REQUEST")).toBe(inRequestMode);
  });

  it("reads every value exactly as the rule says", () => {
    const part = fc.constantFrom(
      "Bearer",
      "bearer",
      "BEARER",
      "Bear",
      "x",
      ".",
      " ",
      "  ",
      "\t",
      JWT,
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), fc.boolean(), (parts, token) => {
        const value = parts.join("");
        const shape = token ? "TOKEN" : "REQUEST";
        expect(tokenOf(value, shape)).toBe(reference(value, token));
      }),
      { numRuns: 2000 },
    );
  });
});
