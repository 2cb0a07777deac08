/**
 * User migration end to end, offline: the local stack's legacy users table (dynalite, seeded
 * from templates/user-migration/legacy-users.local.json: bcrypt, scrypt and PBKDF2 hashes) and
 * the userMigration function behind serverless-offline's Lambda endpoint.
 * - By sign-in: cognito-local calls the UserMigration trigger for a USER_PASSWORD_AUTH sign-in
 *   of a user the pool does not know (lib/targets/initiateAuth.js), then creates the user.
 * - By forgot-password: cognito-local's ForgotPassword never calls it (lib/targets/forgotPassword.js
 *   answers UserNotFoundException), so the test invokes the function with the
 *   UserMigration_ForgotPassword event Cognito sends and plays Cognito's part with the answer.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type LocalStack, startLocalStack } from "../../scripts/local-stack";
import {
  awaitInvocations,
  confirmForgotPassword,
  decodeClaims,
  describeUser,
  failedInvocations,
  forgotPassword,
  forgotPasswordMigrationEvent,
  invocations,
  invokeFunction,
  lockoutFailures,
  migrateByForgotPassword,
  signIn,
} from "../../scripts/local-steps";
import { MIGRATION_REFUSED_MESSAGE } from "../../shared/user-migration/handler";

// Starting the three services takes about 10 s (serverless-offline bundles every function).
jest.setTimeout(120_000);

const LEGACY_PASSWORD = "legacy-Passw0rd!";
const LEGACY_USERS = JSON.parse(
  readFileSync(join(__dirname, "../../templates/user-migration/legacy-users.local.json"), "utf8"),
) as Record<string, Record<string, unknown>>;

/** The error a failed call rejected with: its name and message. */
async function failureOf(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error("the call succeeded");
}

/** The last reset code cognito-local delivered (printed, boxed and wrapped). */
function lastResetCode(stack: LocalStack): string {
  const printed = stack.output().replace(/[│\s]+/g, " ");
  const codes = [...printed.matchAll(/Your reset code is <strong>(\d{6})<\/strong>/g)];
  const code = codes.at(-1)?.[1];
  if (code === undefined) throw new Error("cognito-local delivered no reset code");
  return code;
}

describe("user migration in the local stack", () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  test("the seeded legacy users cover bcrypt, scrypt and PBKDF2, verified and unverified emails", () => {
    // Assess: what the tests below rely on.
    const hashes = Object.values(LEGACY_USERS).map((u) => String(u.passwordHash));
    expect(hashes.some((h) => h.startsWith("$2b$"))).toBe(true);
    expect(hashes.some((h) => h.startsWith("$scrypt$"))).toBe(true);
    expect(hashes.some((h) => h.startsWith("$pbkdf2-sha256$"))).toBe(true);
    expect(hashes.some((h) => h.startsWith("pbkdf2_sha256$"))).toBe(true);
    expect(LEGACY_USERS["jane.doe@example.com"]?.emailVerified).toBe(true);
    expect(LEGACY_USERS["ana.silva@example.com"]?.emailVerified).toBe(false);
  });

  test("a wrong password and an unknown user get the same error; neither migrated; both count toward the lockout", async () => {
    // Prepare: ravi is in the legacy table and not yet in the pool; nobody is in neither.
    const legacy = "ravi.kumar@example.com";
    const nobody = "nobody@example.com";
    const before = failedInvocations(stack).userMigration ?? 0;

    // Act
    const wrong = await failureOf(signIn(stack, legacy, "Wrong-Passw0rd!"));
    const unknown = await failureOf(signIn(stack, nobody, LEGACY_PASSWORD));

    // Assess: one answer for both (cognito-local turns the trigger's refusal into
    // NotAuthorizedException), the trigger ran for both, and neither user was created.
    expect(
      await awaitInvocations(stack, "userMigration", before + 2, 10_000, failedInvocations),
    ).toBe(before + 2);
    expect(wrong.name).toBe("NotAuthorizedException");
    expect(unknown).toEqual(wrong);
    expect(wrong.message).not.toMatch(/Passw0rd/);
    for (const email of [legacy, nobody]) {
      expect((await failureOf(describeUser(stack, email))).name).toBe("UserNotFoundException");
      expect(await lockoutFailures(stack, email)).toBe(1);
    }
  });

  test.each([
    [
      "bcrypt, verified email",
      "jane.doe@example.com",
      {
        email_verified: "true",
        given_name: "Jane",
        family_name: "Doe",
        locale: "en",
      },
    ],
    [
      "scrypt, verified email",
      "li.wei@example.com",
      { email_verified: "true", given_name: "Li", family_name: "Wei", locale: "en-GB" },
    ],
    [
      "PBKDF2-SHA256 (passlib), email not verified",
      "ana.silva@example.com",
      {
        given_name: "Ana",
        family_name: "Silva",
        phone_number: "+5511912345678",
        locale: "pt-BR",
      },
    ],
  ])(
    "sign-in of a legacy user (%s): migrated CONFIRMED with the mapped attributes, tokens issued",
    async (_scheme, email, expected) => {
      // Prepare: the pool does not know the user.
      expect((await failureOf(describeUser(stack, email))).name).toBe("UserNotFoundException");
      const before = invocations(stack).userMigration ?? 0;

      // Act
      const tokens = await signIn(stack, email, LEGACY_PASSWORD);

      // Assess: email lower-cased (jane's record says "Jane.Doe@Example.com"), email_verified only
      // where the legacy record says so, legacyId and the hash not carried.
      expect(await awaitInvocations(stack, "userMigration", before + 1)).toBe(before + 1);
      const user = await describeUser(stack, email);
      expect(user.status).toBe("CONFIRMED");
      expect(user.attributes).toEqual({ email, ...expected });
      const claims = decodeClaims(tokens.idToken);
      expect(claims).toMatchObject({ email, token_use: "id", iss: stack.issuer });
      // cognito-local gives a migrated user no sub (Cognito assigns one): docs/local-stack.md.
      expect(claims.sub).toBeUndefined();
    },
  );

  test("the second sign-in goes through the pool: the trigger is not called again", async () => {
    // Prepare
    const before = invocations(stack).userMigration ?? 0;
    const issued = invocations(stack).preTokenGeneration ?? 0;

    // Act
    const tokens = await signIn(stack, "jane.doe@example.com", LEGACY_PASSWORD);

    // Assess
    expect(decodeClaims(tokens.accessToken)).toMatchObject({ token_use: "access" });
    expect(await awaitInvocations(stack, "preTokenGeneration", issued + 1)).toBe(issued + 1);
    expect(invocations(stack).userMigration ?? 0).toBe(before);
  });

  test("cognito-local's ForgotPassword does not call the trigger for a user the pool does not know", async () => {
    // Prepare
    const before = invocations(stack).userMigration ?? 0;

    // Act
    const failure = await failureOf(forgotPassword(stack, "ravi.kumar@example.com"));

    // Assess: the documented gap (Cognito would call UserMigration_ForgotPassword here).
    expect(failure.name).toBe("UserNotFoundException");
    expect(invocations(stack).userMigration ?? 0).toBe(before);
  });

  test("forgot-password migration (Cognito's event, invoked as Cognito would): migrated without a password, then reset with the pool's code", async () => {
    // Prepare
    const email = "ravi.kumar@example.com";
    const newPassword = "Ravi-New-Passw0rd!";

    // Act: the trigger's answer to UserMigration_ForgotPassword; the user created from it.
    const migrated = await migrateByForgotPassword(stack, email);

    // Assess: the answer Cognito acts on (the wrong password counted above does not block it).
    expect(migrated).toEqual({
      ok: true,
      response: expect.objectContaining({
        userAttributes: {
          email,
          email_verified: "true",
          name: "Ravi Kumar",
          locale: "en-IN",
        },
        finalUserStatus: "CONFIRMED",
        messageAction: "SUPPRESS",
        desiredDeliveryMediums: ["EMAIL"],
        forceAliasCreation: false,
      }),
    });

    // Act: the reset Cognito then starts (its code to the verified address), and its end.
    await forgotPassword(stack, email);
    await confirmForgotPassword(stack, email, lastResetCode(stack), newPassword);
    const before = invocations(stack).userMigration ?? 0;
    const tokens = await signIn(stack, email, newPassword);

    // Assess: the new password signs in through the pool.
    expect(decodeClaims(tokens.idToken)).toMatchObject({ email, email_verified: true });
    expect((await describeUser(stack, email)).status).toBe("CONFIRMED");
    expect(invocations(stack).userMigration ?? 0).toBe(before);
  });

  test("forgot-password migration of a user whose email is not verified: migrated without email_verified", async () => {
    // Act: the trigger alone (Cognito could not deliver a code to this address).
    const result = await invokeFunction(
      stack,
      "userMigration",
      forgotPasswordMigrationEvent(stack, "Ana.Silva@Example.com"),
    );

    // Assess
    expect(result).toEqual({
      ok: true,
      payload: expect.objectContaining({
        triggerSource: "UserMigration_ForgotPassword",
        response: expect.objectContaining({
          userAttributes: {
            email: "ana.silva@example.com",
            given_name: "Ana",
            family_name: "Silva",
            phone_number: "+5511912345678",
            locale: "pt-BR",
          },
          finalUserStatus: "CONFIRMED",
          messageAction: "SUPPRESS",
        }),
      }),
    });
  });

  test("forgot-password migration of an unknown user: the one refusal text", async () => {
    // Act
    const result = await invokeFunction(
      stack,
      "userMigration",
      forgotPasswordMigrationEvent(stack, "nobody@example.com"),
    );

    // Assess
    expect(result).toEqual({ ok: false, errorMessage: MIGRATION_REFUSED_MESSAGE });
  });
});
