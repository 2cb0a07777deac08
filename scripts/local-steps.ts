/**
 * The steps `npm run demo` (scripts/demo.ts) prints and the e2e suite (test/e2e/) asserts,
 * against a stack of scripts/local-stack.ts: sign up, confirm, sign in, call the API, read
 * the profile, migrate legacy users, and count which functions serverless-offline ran.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { UserMigrationTriggerEvent } from "aws-lambda";
import { LOCAL_CREDENTIALS, sleep } from "./local-engines";
import { ATTEMPTS_TABLE_NAME, type LocalStack, REGION, SERVICE, STAGE } from "./local-stack";
import type { FunctionName } from "./registry";

const ROOT = resolve(__dirname, "..");

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

/**
 * How many runs of each function ended in an error so far, from serverless-offline's
 * `Unhandled Lambda Error during invoke of '<service>-<stage>-<function>'` lines (a failed run
 * prints no `(λ: ...)` line, so {@link invocations} does not count it).
 */
export function failedInvocations(stack: Pick<LocalStack, "output">): Record<string, number> {
  const counts: Record<string, number> = {};
  const prefix = `${SERVICE}-${STAGE}-`;
  for (const match of stack
    .output()
    .matchAll(/Unhandled Lambda Error during invoke of '([^']+)'/g)) {
    const full = match[1] ?? "";
    const name = full.startsWith(prefix) ? full.slice(prefix.length) : full;
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
 * count after `timeoutMs`. `count` chooses which runs: {@link invocations} (the default,
 * successful runs) or {@link failedInvocations}.
 */
export async function awaitInvocations(
  stack: Pick<LocalStack, "output">,
  fn: string,
  atLeast: number,
  timeoutMs = 10_000,
  count: (stack: Pick<LocalStack, "output">) => Record<string, number> = invocations,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = count(stack)[fn] ?? 0;
    if (runs >= atLeast || Date.now() > deadline) return runs;
    await sleep(50);
  }
}

/** What a function answered through serverless-offline's Lambda endpoint. */
export type InvokeResult =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly errorMessage: string };

/**
 * Invoke `fn` through serverless-offline's Lambda endpoint with `event`, as Cognito invokes a
 * trigger: the function's answer, or the message of the error it threw (what Cognito shows).
 */
export async function invokeFunction(
  stack: Pick<LocalStack, "lambdaUrl">,
  fn: FunctionName,
  event: unknown,
): Promise<InvokeResult> {
  const lambda = new LambdaClient({
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: stack.lambdaUrl,
  });
  try {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: `${SERVICE}-${STAGE}-${fn}`,
        Payload: Buffer.from(JSON.stringify(event)),
      }),
    );
    const text = out.Payload === undefined ? "null" : Buffer.from(out.Payload).toString("utf8");
    const payload = JSON.parse(text) as unknown;
    if (out.FunctionError === undefined) return { ok: true, payload };
    const message = (payload as { errorMessage?: unknown } | null)?.errorMessage;
    return { ok: false, errorMessage: typeof message === "string" ? message : out.FunctionError };
  } finally {
    lambda.destroy();
  }
}

/**
 * The UserMigration_ForgotPassword event Cognito sends when `ForgotPassword` names a user the
 * pool does not know: the sample event (events/user-migration-forgot-password.json) addressed
 * to the local pool and client, for `userName` as typed.
 */
export function forgotPasswordMigrationEvent(
  stack: Pick<LocalStack, "userPoolId" | "clientId">,
  userName: string,
): UserMigrationTriggerEvent {
  const sample = JSON.parse(
    readFileSync(join(ROOT, "events", "user-migration-forgot-password.json"), "utf8"),
  ) as UserMigrationTriggerEvent;
  return {
    ...sample,
    region: REGION,
    userPoolId: stack.userPoolId,
    userName,
    callerContext: { ...sample.callerContext, clientId: stack.clientId },
  };
}

/**
 * Migration by forgot-password, Cognito's part played here: cognito-local 5.3.0 calls the
 * UserMigration trigger on password sign-in only (its ForgotPassword answers
 * UserNotFoundException for a user the pool does not know). Invokes `userMigration` with
 * {@link forgotPasswordMigrationEvent}; on success, creates the user with the attributes it
 * returned (AdminCreateUser, no message) as Cognito would, so that the pool's ForgotPassword
 * can send the reset code. Returns the trigger's response, or the error it answered.
 */
export async function migrateByForgotPassword(
  stack: LocalStack,
  userName: string,
): Promise<
  | { readonly ok: true; readonly response: UserMigrationTriggerEvent["response"] }
  | { readonly ok: false; readonly errorMessage: string }
> {
  const result = await invokeFunction(
    stack,
    "userMigration",
    forgotPasswordMigrationEvent(stack, userName),
  );
  if (!result.ok) return result;
  const { response } = result.payload as UserMigrationTriggerEvent;
  await stack.cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: stack.userPoolId,
      Username: userName,
      MessageAction: "SUPPRESS",
      UserAttributes: Object.entries(response.userAttributes ?? {}).map(([Name, Value]) => ({
        Name,
        Value,
      })),
    }),
  );
  return { ok: true, response };
}

/** Set a new password with the reset code ForgotPassword sent (ConfirmForgotPassword). */
export async function confirmForgotPassword(
  stack: LocalStack,
  email: string,
  code: string,
  newPassword: string,
): Promise<void> {
  await stack.cognito.send(
    new ConfirmForgotPasswordCommand({
      ClientId: stack.clientId,
      Username: email,
      ConfirmationCode: code,
      Password: newPassword,
    }),
  );
}

/**
 * The failures the cross-sign-in lockout counts for `userName` (as typed) in the local pool:
 * custom auth's wrong answers and user migration's refused passwords share the count.
 */
export async function lockoutFailures(stack: LocalStack, userName: string): Promise<number> {
  const out = await stack.dynamo.send(
    new GetItemCommand({
      TableName: ATTEMPTS_TABLE_NAME,
      Key: { pk: { S: `${stack.userPoolId}#${userName}` } },
      ConsistentRead: true,
    }),
  );
  const failures = out.Item?.failures?.N;
  return failures === undefined ? 0 : Number(failures);
}
