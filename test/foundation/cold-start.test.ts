/**
 * Every function parses its configuration at cold start: a missing or malformed
 * variable stops it with a message naming the variable, before any event is handled.
 * Run through `npm run invoke`'s script, in a fresh process, as a cold start is.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { lastJsonObject } from "../helpers/output";

const run = promisify(execFile);
const ROOT = join(__dirname, "..", "..");

async function invoke(
  fn: string,
  event: string,
  env: Record<string, string>,
): Promise<{ code: number; response: unknown; output: string }> {
  try {
    const { stdout, stderr } = await run(
      join(ROOT, "node_modules", ".bin", "tsx"),
      ["scripts/invoke.ts", fn, event],
      { cwd: ROOT, env: { ...process.env, ...env } },
    );
    return { code: 0, response: lastJsonObject(stdout), output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, response: lastJsonObject(e.stdout), output: e.stdout + e.stderr };
  }
}

describe("cold start with bad configuration", () => {
  it.each([
    ["preSignUp", "pre-signup-sign-up.json", { AWS_MAX_ATTEMPTS: "lots" }, "AWS_MAX_ATTEMPTS"],
    [
      "preSignUp",
      "pre-signup-sign-up.json",
      { PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS: "true" },
      "PRE_SIGNUP_AUTO_VERIFY_TRUSTED_DOMAINS",
    ],
    [
      "postConfirmation",
      "post-confirmation-confirm-signup.json",
      { AWS_CALL_TIMEOUT_MS: "3000" },
      "AWS_MAX_ATTEMPTS",
    ],
    [
      "preSignUp",
      "pre-signup-sign-up.json",
      { PRE_SIGNUP_INVITE_ONLY: "maybe" },
      "PRE_SIGNUP_INVITE_ONLY",
    ],
    [
      "postConfirmation",
      "post-confirmation-confirm-signup.json",
      { PROFILE_TABLE_NAME: " " },
      "PROFILE_TABLE_NAME",
    ],
    [
      "postAuthentication",
      "post-authentication.json",
      { GROUP_BY_EMAIL_DOMAIN: "[]" },
      "GROUP_BY_EMAIL_DOMAIN",
    ],
    [
      "preTokenGeneration",
      "pre-token-generation-v2-hosted-auth.json",
      { PRE_TOKEN_CONFIG: "{" },
      "PRE_TOKEN_CONFIG",
    ],
    [
      "defineAuthChallenge",
      "custom-auth-define-start.json",
      { CUSTOM_AUTH_MAX_ATTEMPTS: "0" },
      "CUSTOM_AUTH_MAX_ATTEMPTS",
    ],
    [
      "createAuthChallenge",
      "custom-auth-create-first.json",
      { CUSTOM_AUTH_CODE_LENGTH: "six" },
      "CUSTOM_AUTH_CODE_LENGTH",
    ],
    [
      "verifyAuthChallenge",
      "custom-auth-verify-correct.json",
      { CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL: "maybe" },
      "CUSTOM_AUTH_REQUIRE_VERIFIED_EMAIL",
    ],
  ])("%s fails naming the variable (%s, %j)", async (fn, event, env, variable) => {
    // Act
    const result = await invoke(fn, `events/${event}`, env);

    // Assess
    expect(result.code).toBe(1);
    expect(result.response).toMatchObject({
      errorType: "ConfigError",
      errorMessage: expect.stringContaining(`Invalid configuration: ${variable}`),
    });
  });

  it("the authorizer logs the variable at cold start and answers Unauthorized, never Allow or a crash", async () => {
    // Act
    const result = await invoke("authorizer", "events/authorizer-token.json", {
      AUTHORIZER_CONFIG: "[not json",
    });

    // Assess
    expect(result.code).toBe(1);
    expect(result.response).toEqual({ errorType: "Error", errorMessage: "Unauthorized" });
    expect(result.output).toContain("AUTHORIZER_CONFIG");
  });
});
