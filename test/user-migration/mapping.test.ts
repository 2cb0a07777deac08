/** From a legacy record to Cognito attributes: mapping, email normalisation, email_verified, limits. */
import { DEFAULT_ATTRIBUTE_MAP, validateAttributeMap } from "../../shared/user-migration/config";
import { planMigration } from "../../shared/user-migration/mapping";

describe("planMigration", () => {
  test("maps configured fields, normalises the email, drops unmapped and empty fields", () => {
    // Prepare
    const user = {
      fields: {
        email: "  Jane.Doe@Example.COM ",
        given_name: "Jane",
        family_name: "",
        passwordHash: "$2b$...",
        internal_flag: "x",
        age: 42,
        tags: ["a"],
      },
      emailVerified: true,
    };

    // Act
    const plan = planMigration(user, {
      ...DEFAULT_ATTRIBUTE_MAP,
      age: "custom:age",
      tags: "custom:tags",
    });

    // Assess
    expect(plan).toEqual({
      kind: "migrate",
      userAttributes: {
        email: "jane.doe@example.com",
        email_verified: "true",
        given_name: "Jane",
        "custom:age": "42",
      },
    });
  });

  test("email_verified is left out unless the legacy system says so", () => {
    // Act
    const plan = planMigration(
      { fields: { email: "a@b.c" }, emailVerified: false },
      DEFAULT_ATTRIBUTE_MAP,
    );

    // Assess
    expect(plan).toEqual({ kind: "migrate", userAttributes: { email: "a@b.c" } });
  });

  test("an oversized value or a malformed email refuses the record", () => {
    // Act
    const long = planMigration(
      { fields: { name: "x".repeat(2049) }, emailVerified: false },
      DEFAULT_ATTRIBUTE_MAP,
    );
    const badEmail = planMigration(
      { fields: { email: "not an email" }, emailVerified: true },
      DEFAULT_ATTRIBUTE_MAP,
    );

    // Assess
    expect(long.kind).toBe("refuse");
    expect(badEmail.kind).toBe("refuse");
  });

  test("prototype keys in a record are not read", () => {
    // Act
    const plan = planMigration(
      { fields: JSON.parse('{"__proto__": {"email": "x@y.z"}}'), emailVerified: true },
      DEFAULT_ATTRIBUTE_MAP,
    );

    // Assess
    expect(plan).toEqual({ kind: "migrate", userAttributes: {} });
  });
});

describe("validateAttributeMap", () => {
  test.each([
    ["a reserved target", { pw: "email_verified" }],
    ["sub", { id: "sub" }],
    ["an unknown attribute", { x: "favourite_colour" }],
    ["a target mapped twice", { a: "email", b: "email" }],
    ["a non-string target", { a: 1 }],
    ["an array", ["email"]],
  ])("refuses %s", (_name, map) => {
    expect(() => validateAttributeMap(map)).toThrow();
  });

  test("accepts standard and custom: targets", () => {
    expect(validateAttributeMap({ mail: "email", tier: "custom:tier" })).toEqual({
      mail: "email",
      tier: "custom:tier",
    });
  });
});
