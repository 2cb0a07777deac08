/**
 * End to end, offline: dynalite + cognito-local + serverless-offline started on free
 * loopback ports (scripts/local-stack.ts), then the demo's steps (scripts/local-steps.ts), each asserted.
 * cognito-local invokes PreSignUp, PostConfirmation, PostAuthentication (the opt-in
 * backstop), PreTokenGeneration (V1 event) and CustomMessage (the messages it prints) through
 * serverless-offline's Lambda endpoint; the custom-auth triggers are covered by
 * the custom-auth harness instead (cognito-local has no CUSTOM_AUTH flow).
 */
import { type LocalStack, startLocalStack } from "../../scripts/local-stack";
import {
  adminCreatedFirstSignIn,
  awaitInvocations,
  callHello,
  confirm,
  decodeClaims,
  describeUser,
  forgotPassword,
  invocations,
  readProfile,
  refresh,
  signIn,
  signUp,
  type Tokens,
  tokenLackingScope,
} from "../../scripts/local-steps";

/** What cognito-local printed as delivered messages, its box borders and line wraps removed. */
function delivered(stack: LocalStack): string {
  return stack.output().replace(/[│\s]+/g, " ");
}

// Starting the three services takes about 10 s (serverless-offline bundles every function).
jest.setTimeout(120_000);

/** The claims cognito-local puts in an ID token by itself (lib/services/tokenGenerator.js). */
const COGNITO_LOCAL_ID_CLAIMS = [
  "cognito:username",
  "auth_time",
  "email",
  "email_verified",
  "event_id",
  "iat",
  "jti",
  "sub",
  "token_use",
  "cognito:groups",
  "exp",
  "aud",
  "iss",
];

describe("local end-to-end stack", () => {
  let stack: LocalStack;
  const email = "e2e.user@example.com";
  const password = "E2e-Passw0rd!";
  let sub: string | undefined;
  let tokens: Tokens;

  beforeAll(async () => {
    stack = await startLocalStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  test("sign-up through the SDK: cognito-local runs PreSignUp, the user is unconfirmed", async () => {
    // Act
    const result = await signUp(stack, email, password);

    // Assess
    expect(result.userSub).toMatch(/^[0-9a-f-]{36}$/);
    sub = result.userSub;
    expect(await awaitInvocations(stack, "preSignUp", 1)).toBe(1);
    const user = await describeUser(stack, email);
    expect(user.status).toBe("UNCONFIRMED");
  });

  test("the sign-up message: cognito-local runs CustomMessage and delivers our template with the code", async () => {
    // Assess: the confirmation code of the sign-up above, in the repository's English template.
    expect(await awaitInvocations(stack, "customMessage", 1)).toBe(1);
    const printed = delivered(stack);
    expect(printed).toContain("Confirm your cognito-triggers account");
    expect(printed).toMatch(
      /Welcome to cognito-triggers\. Your confirmation code is <strong>\d{6}<\/strong>/,
    );
    expect(printed).toMatch(/cognito-triggers: your confirmation code is \d{6}/);
    expect(printed).not.toContain("{####}");
  });

  test("AdminConfirmSignUp: cognito-local runs PostConfirmation, the profile record is in dynalite", async () => {
    // Act
    await confirm(stack, email);

    // Assess
    expect(await awaitInvocations(stack, "postConfirmation", 1)).toBe(1);
    const user = await describeUser(stack, email);
    expect(user.status).toBe("CONFIRMED");
    expect(user.groups).toEqual(["members"]);
    const profile = await readProfile(stack, sub ?? "");
    expect(profile).toMatchObject({
      sub,
      email,
      userPoolId: stack.userPoolId,
      source: "native",
    });
  });

  test("USER_PASSWORD_AUTH sign-in: cognito-local runs PreTokenGeneration, claims are enriched", async () => {
    // Act
    tokens = await signIn(stack, email, password);

    // Assess
    expect(await awaitInvocations(stack, "preTokenGeneration", 1)).toBe(1);
    // The backstop ran on the sign-in and found the profile: one read, nothing rewritten.
    expect(await awaitInvocations(stack, "postAuthentication", 1)).toBe(1);
    expect(await readProfile(stack, sub ?? "")).not.toHaveProperty("provisionedBy");
    const id = decodeClaims(tokens.idToken);
    const access = decodeClaims(tokens.accessToken);
    expect(id).toMatchObject({ sub, email, token_use: "id", iss: stack.issuer });
    expect(access).toMatchObject({ sub, token_use: "access", client_id: stack.clientId });
    // The default group, added by post-confirmation, is in the tokens.
    expect(access["cognito:groups"]).toEqual(["members"]);
    // Claims only the pre-token trigger can have added.
    const added = Object.keys(id).filter((claim) => !COGNITO_LOCAL_ID_CLAIMS.includes(claim));
    expect(added.length).toBeGreaterThan(0);
  });

  test("REFRESH_TOKEN_AUTH: PreTokenGeneration runs again and the claims stay enriched", async () => {
    // Act
    const refreshed = await refresh(stack, tokens.refreshToken ?? "");

    // Assess
    expect(await awaitInvocations(stack, "preTokenGeneration", 2)).toBe(2);
    const before = Object.keys(decodeClaims(tokens.idToken)).sort();
    const after = Object.keys(decodeClaims(refreshed.idToken)).sort();
    expect(after).toEqual(before);
  });

  test("GET /hello with the access token: 200, answered with the authorizer's principal", async () => {
    // Act
    const response = await callHello(stack, tokens.accessToken);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ sub });
    expect(await awaitInvocations(stack, "authorizer", 1)).toBeGreaterThanOrEqual(1);
  });

  test("GET /hello without a token: 401", async () => {
    // Act
    const response = await callHello(stack);

    // Assess
    expect(response.status).toBe(401);
  });

  test("admin-created user, forced password change: no PostConfirmation, the backstop provisions at sign-in", async () => {
    // Prepare
    const before = invocations(stack);

    // Act: AdminCreateUser, then USER_PASSWORD_AUTH -> NEW_PASSWORD_REQUIRED -> new password.
    const admin = "admin.created@example.com";
    const { sub: adminSub, tokens: adminTokens } = await adminCreatedFirstSignIn(
      stack,
      admin,
      "Admin-Created-Passw0rd!",
    );

    // Assess: Cognito's gap (amplify-cli#13127) and the backstop closing it.
    const signIns = (before.postAuthentication ?? 0) + 1;
    expect(await awaitInvocations(stack, "postAuthentication", signIns)).toBe(signIns);
    expect(invocations(stack).postConfirmation).toBe(before.postConfirmation);
    expect(await readProfile(stack, adminSub)).toMatchObject({
      sub: adminSub,
      email: admin,
      userPoolId: stack.userPoolId,
      provisionedBy: "post-authentication",
    });
    expect((await describeUser(stack, admin)).groups).toEqual(["members"]);
    // cognito-local reads the groups after PostAuthentication: already in the first tokens.
    expect(decodeClaims(adminTokens.accessToken)["cognito:groups"]).toEqual(["members"]);
  });

  test("GET /hello with a token lacking the route's scope: 403", async () => {
    // Prepare: a user without the api/read scope and without the groups the route accepts.
    const token = await tokenLackingScope(stack, "outsider@example.com");
    expect(decodeClaims(token)).toMatchObject({ scope: "aws.cognito.signin.user.admin" });
    expect(decodeClaims(token)["cognito:groups"]).toBeUndefined();

    // Act
    const response = await callHello(stack, token);

    // Assess
    expect(response.status).toBe(403);
  });

  test("GET /hello with the ID token: 401 (the API accepts access tokens only)", async () => {
    // Act
    const response = await callHello(stack, tokens.idToken);

    // Assess
    expect(response.status).toBe(401);
  });

  test("GET /hello with a forged token: 401", async () => {
    // Prepare: the real token with its payload changed (the signature no longer matches).
    const [header, , signature] = tokens.accessToken.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...decodeClaims(tokens.accessToken), sub: "someone-else" }),
    ).toString("base64url");

    // Act
    const response = await callHello(stack, `${header}.${forged}.${signature}`);

    // Assess
    expect(response.status).toBe(401);
  });

  test("forgot password: CustomMessage_ForgotPassword writes the reset message with the code", async () => {
    // Prepare
    const before = invocations(stack).customMessage ?? 0;

    // Act
    await forgotPassword(stack, email);

    // Assess
    expect(await awaitInvocations(stack, "customMessage", before + 1)).toBe(before + 1);
    const printed = delivered(stack);
    expect(printed).toContain("Reset your cognito-triggers password");
    expect(printed).toMatch(/Your reset code is <strong>\d{6}<\/strong>/);
  });

  test("the custom-auth triggers are never invoked by cognito-local (no CUSTOM_AUTH flow)", () => {
    // Assess: documented limitation; the custom-auth suite drives those handlers instead.
    const invoked = invocations(stack);
    expect(invoked.defineAuthChallenge).toBeUndefined();
    expect(invoked.createAuthChallenge).toBeUndefined();
    expect(invoked.verifyAuthChallenge).toBeUndefined();
  });
});
