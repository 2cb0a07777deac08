/**
 * Cognito's CUSTOM_AUTH orchestration, emulated for the local stack (cognito-local has no
 * CUSTOM_AUTH): the session Cognito keeps between InitiateAuth and RespondToAuthChallenge, and
 * the define / create / verify calls it makes, sent to the deployed-shape functions through a
 * caller-given `invoke` (serverless-offline's Lambda endpoint in `npm run signin`).
 */

/** One entry of the session Cognito passes to define and create. */
export interface SessionEntry {
  readonly challengeName: string;
  readonly challengeResult: boolean;
  readonly challengeMetadata?: string;
}

/** The pool's view of the user signing in (AdminGetUser), or undefined for an unknown user. */
export interface PoolUser {
  /** The pool's username (`event.userName`). */
  readonly userName: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** What the emulation needs from the outside world. */
export interface EmulatorPorts {
  /** Invoke function `name` (define/create/verify) with `event`; resolve its returned event. */
  invoke(
    name: "defineAuthChallenge" | "createAuthChallenge" | "verifyAuthChallenge",
    event: unknown,
  ): Promise<unknown>;
  /** Cognito's own password check (the SRP proof in AWS): true when `password` is the user's. */
  checkPassword(password: string): Promise<boolean>;
  /** The answer to a CUSTOM_CHALLENGE (`hint` is its public `email` parameter). */
  answer(hint: string | undefined, attempt: number): Promise<string>;
  /** Told each step, for printing. */
  onStep(message: string): void;
}

/** How the emulated sign-in ended. */
export type SignInOutcome =
  | { readonly kind: "tokens" }
  | { readonly kind: "failed"; readonly reason: string };

/** The request of one emulated sign-in. */
export interface SignInRequest {
  readonly flow: "passwordless" | "password-code";
  readonly userPoolId: string;
  readonly clientId: string;
  readonly region: string;
  /** What the user typed (the email). */
  readonly username: string;
  readonly user: PoolUser | undefined;
  readonly password?: string;
}

/** Cognito never allows more than this many define calls in one session. */
const MAX_ROUNDS = 10;

/**
 * Run one sign-in as Cognito orchestrates CUSTOM_AUTH: define decides, create issues the
 * challenge, verify checks the answer; the password step is Cognito's own check. Ends with the
 * outcome Cognito would give: tokens, or NotAuthorizedException.
 */
export async function emulateCustomAuth(
  request: SignInRequest,
  ports: EmulatorPorts,
): Promise<SignInOutcome> {
  const session: SessionEntry[] = [];
  const userName = request.user?.userName ?? request.username;
  // Cognito with PreventUserExistenceErrors on (as the deployed app client) asks the
  // triggers to pretend for an unknown user.
  const userRequest = {
    userAttributes: { ...(request.user?.attributes ?? {}) },
    userNotFound: request.user === undefined,
  };
  const base = (triggerSource: string) => ({
    version: "1",
    region: request.region,
    userPoolId: request.userPoolId,
    userName,
    callerContext: { awsSdkVersion: "aws-sdk-js-3.0.0", clientId: request.clientId },
    triggerSource,
  });
  if (request.flow === "password-code") {
    // InitiateAuth(CUSTOM_AUTH, SRP_A): Cognito records the SRP_A step itself.
    session.push({ challengeName: "SRP_A", challengeResult: true });
  }
  let privateChallengeParameters: Record<string, string> = {};
  let challengeMetadata: string | undefined;
  let attempt = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const defined = (await ports.invoke("defineAuthChallenge", {
      ...base("DefineAuthChallenge_Authentication"),
      request: { ...userRequest, session: session.map((entry) => ({ ...entry })) },
      response: {},
    })) as {
      response?: { issueTokens?: boolean; failAuthentication?: boolean; challengeName?: string };
    };
    const decision = defined.response ?? {};
    if (decision.failAuthentication === true) {
      ports.onStep("defineAuthChallenge: failAuthentication");
      return { kind: "failed", reason: "NotAuthorizedException: Incorrect username or password." };
    }
    if (decision.issueTokens === true) {
      ports.onStep("defineAuthChallenge: issueTokens");
      return { kind: "tokens" };
    }
    ports.onStep(`defineAuthChallenge: next challenge ${String(decision.challengeName)}`);
    if (decision.challengeName === "PASSWORD_VERIFIER") {
      const correct = await ports.checkPassword(request.password ?? "");
      ports.onStep(`Cognito checks the password: ${correct ? "correct" : "wrong"}`);
      session.push({ challengeName: "PASSWORD_VERIFIER", challengeResult: correct });
      continue;
    }
    if (decision.challengeName !== "CUSTOM_CHALLENGE") {
      return { kind: "failed", reason: `unsupported challenge ${String(decision.challengeName)}` };
    }
    const created = (await ports.invoke("createAuthChallenge", {
      ...base("CreateAuthChallenge_Authentication"),
      request: {
        ...userRequest,
        challengeName: "CUSTOM_CHALLENGE",
        session: session.map((entry) => ({ ...entry })),
      },
      response: {},
    })) as {
      response?: {
        publicChallengeParameters?: Record<string, string>;
        privateChallengeParameters?: Record<string, string>;
        challengeMetadata?: string;
      };
    };
    privateChallengeParameters = { ...(created.response?.privateChallengeParameters ?? {}) };
    challengeMetadata = created.response?.challengeMetadata;
    const hint = created.response?.publicChallengeParameters?.email;
    ports.onStep(`createAuthChallenge: code sent to ${hint ?? "the user"}`);
    attempt += 1;
    const answer = await ports.answer(hint, attempt);
    const verified = (await ports.invoke("verifyAuthChallenge", {
      ...base("VerifyAuthChallengeResponse_Authentication"),
      request: { ...userRequest, privateChallengeParameters, challengeAnswer: answer },
      response: { answerCorrect: false },
    })) as { response?: { answerCorrect?: boolean } };
    const correct = verified.response?.answerCorrect === true;
    ports.onStep(`verifyAuthChallenge: answer ${correct ? "correct" : "wrong"}`);
    session.push({
      challengeName: "CUSTOM_CHALLENGE",
      challengeResult: correct,
      ...(challengeMetadata === undefined ? {} : { challengeMetadata }),
    });
  }
  return { kind: "failed", reason: "too many rounds" };
}
