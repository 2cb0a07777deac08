/**
 * The steps `npm run demo` (scripts/demo.ts) prints and the e2e suite (test/e2e/) asserts,
 * against a stack of scripts/local-stack.ts: sign up, confirm, sign in, call the API, read
 * the profile, and count which functions serverless-offline ran.
 */
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { sleep } from "./local-engines";
import type { LocalStack } from "./local-stack";

/** Start a password reset (ForgotPassword; runs CustomMessage_ForgotPassword, prints the message). */
export async function forgotPassword(stack: LocalStack, email: string): Promise<void> {
  await stack.cognito.send(
    new ForgotPasswordCommand({ ClientId: stack.clientId, Username: email }),
  );
}

/** Sign a user up through the SDK (runs the PreSignUp trigger). */
export async function signUp(
  stack: LocalStack,
  email: string,
  password: string,
): Promise<{ userConfirmed: boolean; userSub: string | undefined }> {
  const out = await stack.cognito.send(
    new SignUpCommand({
      ClientId: stack.clientId,
      Username: email,
      Password: password,
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "name", Value: "Demo User" },
      ],
    }),
  );
  return { userConfirmed: out.UserConfirmed === true, userSub: out.UserSub };
}

/** Confirm the user as an administrator would (runs the PostConfirmation trigger). */
export async function confirm(stack: LocalStack, email: string): Promise<void> {
  await stack.cognito.send(
    new AdminConfirmSignUpCommand({ UserPoolId: stack.userPoolId, Username: email }),
  );
}

/** The tokens of a USER_PASSWORD_AUTH sign-in (runs the PreTokenGeneration trigger). */
export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
}

/** Sign in with USER_PASSWORD_AUTH. */
export async function signIn(stack: LocalStack, email: string, password: string): Promise<Tokens> {
  const out = await stack.cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return tokensOf(out.AuthenticationResult, out.ChallengeName);
}

function tokensOf(
  result: { IdToken?: string; AccessToken?: string; RefreshToken?: string } | undefined,
  challenge: string | undefined,
): Tokens {
  if (result?.IdToken === undefined || result.AccessToken === undefined) {
    throw new Error(`sign-in returned no tokens (challenge ${challenge ?? "none"})`);
  }
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
  };
}

/** The (unverified) payload of a JWT, for display. */
export function decodeClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split(".")[1] ?? "";
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The user's status, attributes and groups in the local pool. */
export async function describeUser(
  stack: LocalStack,
  email: string,
): Promise<{ status: string | undefined; attributes: Record<string, string>; groups: string[] }> {
  const user = await stack.cognito.send(
    new AdminGetUserCommand({ UserPoolId: stack.userPoolId, Username: email }),
  );
  // By the username (cognito-local: the sub), not the email alias: cognito-local 5.3.0 finds
  // no groups for an alias.
  const groups = await stack.cognito.send(
    new AdminListGroupsForUserCommand({
      UserPoolId: stack.userPoolId,
      Username: user.Username ?? email,
    }),
  );
  return {
    status: user.UserStatus,
    attributes: Object.fromEntries(
      (user.UserAttributes ?? []).map((a) => [a.Name ?? "", a.Value ?? ""]),
    ),
    groups: (groups.Groups ?? []).map((g) => g.GroupName ?? ""),
  };
}

/** GET /hello, with `Authorization: Bearer <token>` when a token is given. */
export async function callHello(
  stack: LocalStack,
  token?: string,
): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${stack.apiUrl}/hello`, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}

/** The profile record post-confirmation wrote for `sub`, if any. */
export async function readProfile(
  stack: LocalStack,
  sub: string,
): Promise<Record<string, unknown> | undefined> {
  const out = await stack.dynamo.send(
    new GetItemCommand({
      TableName: stack.profileTableName,
      Key: { sub: { S: sub } },
      ConsistentRead: true,
    }),
  );
  return out.Item === undefined ? undefined : unmarshall(out.Item);
}

/**
 * An administrator creates the user (AdminCreateUser, temporary password, no message); the
 * user signs in (USER_PASSWORD_AUTH), gets NEW_PASSWORD_REQUIRED and sets a new password
 * (RespondToAuthChallenge). Cognito runs no PostConfirmation for this confirmation
 * (aws-amplify/amplify-cli#13127); the post-authentication backstop provisions the user
 * (groups and profile) during this first sign-in. Returns the user's sub and the tokens.
 */
export async function adminCreatedFirstSignIn(
  stack: LocalStack,
  email: string,
  newPassword: string,
): Promise<{ sub: string; tokens: Tokens }> {
  const temporary = "Temporary-Passw0rd!";
  const created = await stack.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: stack.userPoolId,
      Username: email,
      MessageAction: "SUPPRESS",
      TemporaryPassword: temporary,
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
  const sub = created.User?.Attributes?.find((a) => a.Name === "sub")?.Value;
  if (sub === undefined) throw new Error("AdminCreateUser returned no sub");
  const challenge = await stack.cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: temporary },
    }),
  );
  if (challenge.ChallengeName !== "NEW_PASSWORD_REQUIRED") {
    throw new Error(`expected NEW_PASSWORD_REQUIRED, got ${challenge.ChallengeName ?? "tokens"}`);
  }
  const out = await stack.cognito.send(
    new RespondToAuthChallengeCommand({
      ClientId: stack.clientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
    }),
  );
  return { sub, tokens: tokensOf(out.AuthenticationResult, out.ChallengeName) };
}

/**
 * A valid access token of the local pool that lacks what GET /hello requires (the
 * `api/read` scope, or membership of the default or admins group): an admin-created user
 * whom the backstop provisioned at the first sign-in and an administrator then removed
 * from every group. The next sign-in finds the profile (the backstop does nothing more), and
 * cognito-local issues only the `aws.cognito.signin.user.admin` scope.
 */
export async function tokenLackingScope(stack: LocalStack, email: string): Promise<string> {
  const password = "Outsider-Passw0rd!";
  const { sub } = await adminCreatedFirstSignIn(stack, email, password);
  // By the username (cognito-local: the sub), as in describeUser.
  const groups = await stack.cognito.send(
    new AdminListGroupsForUserCommand({ UserPoolId: stack.userPoolId, Username: sub }),
  );
  for (const group of groups.Groups ?? []) {
    await stack.cognito.send(
      new AdminRemoveUserFromGroupCommand({
        UserPoolId: stack.userPoolId,
        Username: sub,
        GroupName: group.GroupName,
      }),
    );
  }
  return (await signIn(stack, email, password)).accessToken;
}

/**
 * How many times serverless-offline ran each function so far, from its
 * `(λ: <function>) RequestId: ...` lines: the proof of which triggers cognito-local invoked.
 */
export function invocations(stack: Pick<LocalStack, "output">): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of stack.output().matchAll(/\(λ: ([A-Za-z0-9]+)\) RequestId:/g)) {
    const name = match[1] ?? "";
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** New tokens from a refresh token (REFRESH_TOKEN_AUTH; runs PreTokenGeneration again). */
export async function refresh(stack: LocalStack, refreshToken: string): Promise<Tokens> {
  const out = await stack.cognito.send(
    new InitiateAuthCommand({
      ClientId: stack.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
  const result = out.AuthenticationResult;
  if (result?.IdToken === undefined || result.AccessToken === undefined) {
    throw new Error("refresh returned no tokens");
  }
  return { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken };
}

/**
 * The number of runs of `fn` once it reaches `atLeast` (serverless-offline prints the
 * line when the run ends, which may reach us just after the caller's response), or the
 * count after `timeoutMs`.
 */
export async function awaitInvocations(
  stack: Pick<LocalStack, "output">,
  fn: string,
  atLeast: number,
  timeoutMs = 10_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = invocations(stack)[fn] ?? 0;
    if (count >= atLeast || Date.now() > deadline) return count;
    await sleep(50);
  }
}
