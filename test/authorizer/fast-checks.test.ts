/**
 * The warm path's stand-ins for library steps, held to the library: the Cognito field check
 * (shared/authorizer/verifier.ts) against `validateCognitoJwtFields`, and parseJson
 * (shared/authorizer/jws.ts) against `safeJsonParse`, for any input.
 */
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import { safeJsonParse } from "aws-jwt-verify/safe-json-parse";
import fc from "fast-check";
import { DEFER, decompose, parseJson } from "../../shared/authorizer/jws";
import { VerifiedTokenCache } from "../../shared/authorizer/token-cache";
import { assertCognitoFields } from "../../shared/authorizer/verifier";

type Outcome = { ok: true } | { ok: false; error: string; message: string };

function outcome(run: () => void): Outcome {
  try {
    run();
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: (error as Error).constructor.name,
      message: (error as Error).message,
    };
  }
}

describe("assertCognitoFields agrees with validateCognitoJwtFields", () => {
  const value = fc.oneof(
    fc.constantFrom("access", "id", "client-a", "client-b", "", "other"),
    fc.constant(undefined),
    fc.constant(null),
    fc.integer(),
    fc.array(fc.constantFrom("client-a", "client-b", "x"), { maxLength: 2 }),
  );

  test("property: any token_use, aud and client_id, any configuration: same outcome", () => {
    fc.assert(
      fc.property(
        fc.record({ token_use: value, aud: value, client_id: value }, { requiredKeys: [] }),
        fc.constantFrom("access", "id", null),
        fc.subarray(["client-a", "client-b"]),
        (payload, tokenUse, clientIds) => {
          // Prepare
          const claims = payload as unknown as JwtPayload;
          const clients = new Set(clientIds);

          // Act
          const got = outcome(() => assertCognitoFields(claims, tokenUse, clientIds, clients));
          const expected = outcome(() =>
            validateCognitoJwtFields(claims, { tokenUse, clientId: clientIds }),
          );

          // Assess
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("named cases: the accepted shapes pass, the near misses are refused", () => {
    // Prepare
    const ids = ["client-a"];
    const clients = new Set(ids);
    const check = (payload: Record<string, unknown>, use: "access" | "id" | null = "access") =>
      outcome(() => assertCognitoFields(payload as JwtPayload, use, ids, clients)).ok;

    // Act / Assess
    expect(check({ token_use: "access", client_id: "client-a" })).toBe(true);
    expect(check({ token_use: "id", aud: "client-a" }, "id")).toBe(true);
    expect(check({ token_use: "id", aud: "client-a" }, null)).toBe(true);
    expect(check({ token_use: "id", aud: "client-a" })).toBe(false); // access configured
    expect(check({ token_use: "access", aud: "client-a" })).toBe(false); // access reads client_id
    expect(check({ token_use: "id", aud: ["client-a"] }, "id")).toBe(false); // not a string
    expect(check({ token_use: "access", client_id: "client-b" })).toBe(false);
    expect(check({ token_use: "refresh", client_id: "client-a" }, null)).toBe(false);
    expect(check({ client_id: "client-a" }, null)).toBe(false);
  });
});

describe("parseJson agrees with safeJsonParse", () => {
  test("property: any JSON text (with __proto__ and constructor keys now and then)", () => {
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom("__proto__", "constructor"));
    const { json } = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: "small" },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie("json"), { maxLength: 3 }),
        fc.dictionary(key, tie("json"), { maxKeys: 3 }),
      ),
    }));
    fc.assert(
      fc.property(json, fc.boolean(), (value, escaped) => {
        // Prepare: keys spelled out, or with a \u escape for the first character.
        let text = JSON.stringify(value);
        if (escaped)
          text = text.replace(
            /"(__proto__|constructor)":/g,
            (m) => `"\\u00${m.charCodeAt(1).toString(16)}${m.slice(2)}`,
          );

        // Act
        const got = parseJson(text);

        // Assess
        expect(got).toEqual(safeJsonParse(text));
      }),
      { numRuns: 500 },
    );
  });

  test("a key nested in an array's object, or deep down, is found; deep nesting does not overflow", () => {
    // Prepare
    const inArray = '{"a":[1,"x",{"b":[{"__proto__":{"admin":true}}]}]}';
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;

    // Act
    const parsed = parseJson(inArray) as { a: [number, string, { b: [object] }] };

    // Assess
    expect(Object.hasOwn(parsed.a[2].b[0], "__proto__")).toBe(false);
    expect(() => parseJson(deep)).not.toThrow();
  });
});

describe("VerifiedTokenCache off", () => {
  test("with maxEntries 0 nothing is kept, nothing is found", () => {
    // Prepare
    const cache = new VerifiedTokenCache({ maxEntries: 0, maxChars: 1000, now: () => 0 });

    // Act
    cache.set("a.b.c", { exp: 10 } as JwtPayload);

    // Assess
    expect(cache.get("a.b.c")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe("decompose's last-header shortcut", () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const token = (header: unknown) => `${b64(header)}.${b64({ sub: "s" })}.c2ln`;

  test("alternating headers: each token gets its own header, never the previous one's", () => {
    // Prepare
    const a = token({ alg: "RS256", kid: "a" });
    const b = token({ alg: "RS256", kid: "b" });
    const bad = `${b64("not an object")}.${b64({ sub: "s" })}.c2ln`;

    // Act
    const kids = [a, b, a, a, b].map((t) => {
      const d = decompose(t);
      return d === DEFER ? "defer" : d.header.kid;
    });

    // Assess
    expect(kids).toEqual(["a", "b", "a", "a", "b"]);
    expect(() => decompose(bad)).toThrow("JWT header is not an object");
    const after = decompose(a);
    expect(after === DEFER ? "defer" : after.header.kid).toBe("a");
  });
});
