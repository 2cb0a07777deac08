/**
 * The three custom-auth trigger handlers, built from injected config, logger,
 * sender and clock so tests (and the Cognito harness in test/custom-auth) can
 * drive whole sign-ins. `functions/*-auth-challenge.ts` build them once per container.
 */
import type { Context } from "aws-lambda";
import { Deadline, LAMBDA_RESERVE_MS } from "../aws/clients";
import { InvalidEventError } from "../errors";
import {
  type CreateAuthChallengeTriggerEvent,
  type DefineAuthChallengeTriggerEvent,
  readStringMap,
  TRIGGER_SOURCES,
  type VerifyAuthChallengeResponseTriggerEvent,
} from "../events";
import { cognitoTrigger } from "../handler";
import type { Logger } from "../logger";
import {
  type CodeState,
  checkAnswer,
  decodeMetadata,
  encodeMetadata,
  fromPrivateParameters,
  generateCode,
  hashCode,
  type RandomInt,
  toPrivateParameters,
} from "./code";
import type { CreateAuthConfig, DefineAuthConfig, VerifyAuthConfig } from "./config";
import { CUSTOM_CHALLENGE, decideNextStep } from "./define";
import { publicEmailHint } from "./mask";
import type { CodeSender } from "./sender";
import { readSession, recipientOf } from "./session";
import { renderTemplate } from "./templates";

/** A trigger handler as Lambda calls it (the context is optional so tests can omit it). */
type TriggerHandler<E> = (event: E, context?: Context) => Promise<E>;
type DefineHandler = TriggerHandler<DefineAuthChallengeTriggerEvent>;
type CreateHandler = TriggerHandler<CreateAuthChallengeTriggerEvent>;
type VerifyHandler = TriggerHandler<VerifyAuthChallengeResponseTriggerEvent>;

/** What the define-auth-challenge handler needs. */
export interface DefineAuthDeps {
  readonly config: DefineAuthConfig;
  readonly logger: Logger;
}

/** Build the define-auth-challenge handler: runs {@link decideNextStep} and writes the response. */
export function createDefineAuthChallengeHandler({
  config,
  logger,
}: DefineAuthDeps): DefineHandler {
  return cognitoTrigger<DefineAuthChallengeTriggerEvent>(
    logger,
    TRIGGER_SOURCES.defineAuthChallenge,
    (event) => {
      const session = readSession(event.request.session);
      const decision = decideNextStep({
        session,
        clientId:
          typeof event.callerContext?.clientId === "string" ? event.callerContext.clientId : "",
        clientMetadata: readStringMap(event.request.clientMetadata),
        eligible: recipientOf(event.request, config.eligibility).kind === "deliver",
        maxAttempts: config.maxAttempts,
        flows: config.flows,
      });
      // Same response shape for every user and outcome (no enumeration through the response).
      event.response = {
        challengeName: decision.kind === "challenge" ? decision.challengeName : undefined,
        issueTokens: decision.kind === "allow",
        failAuthentication: decision.kind === "deny",
      };
      logger.info("Custom auth step decided", {
        decision: decision.kind,
        ...(decision.kind === "deny"
          ? { reason: decision.reason }
          : { step: decision.step, flow: decision.flow }),
        sessionLength: session.length,
      });
      return event;
    },
  );
}

/** What the create-auth-challenge handler needs. */
export interface CreateAuthDeps {
  readonly config: CreateAuthConfig;
  readonly logger: Logger;
  readonly sender: CodeSender;
  /** Clock in epoch ms (tests inject one). */
  readonly now?: () => number;
  /** Digit source (tests inject one); `crypto.randomInt` otherwise. */
  readonly randomInt?: RandomInt;
  /** Wait used on the pretend path so it takes about as long as a real send. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** The most recent code state carried in the session's `challengeMetadata`, if any. */
function previousCode(session: ReturnType<typeof readSession>): CodeState | undefined {
  for (let i = session.length - 1; i >= 0; i--) {
    const entry = session[i];
    if (entry?.challengeName === CUSTOM_CHALLENGE) return decodeMetadata(entry.challengeMetadata);
  }
  return undefined;
}

/**
 * Build the create-auth-challenge handler. First code of a session: generate,
 * hash, send (or pretend for users who cannot receive one). Retry within the
 * session while the code is still valid: reuse the carried hash, send nothing.
 */
export function createCreateAuthChallengeHandler(deps: CreateAuthDeps): CreateHandler {
  const { config, logger, sender } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const minutes = Math.ceil(config.codeTtlSeconds / 60);
  // Running estimate of how long a real send takes, so the pretend path looks the same.
  let sendMs = config.pretendDelayMs;

  return cognitoTrigger<CreateAuthChallengeTriggerEvent>(
    logger,
    TRIGGER_SOURCES.createAuthChallenge,
    async (event, context) => {
      if (event.request.challengeName !== CUSTOM_CHALLENGE) {
        throw new InvalidEventError("create-auth-challenge called for a non-custom challenge");
      }
      const session = readSession(event.request.session);
      const recipient = recipientOf(event.request, config.eligibility);
      // Built the same way for real and unknown users (see mask.ts), whatever the recipient.
      const hint = publicEmailHint(
        {
          userName: typeof event.userName === "string" ? event.userName : "",
          userNotFound: event.request.userNotFound === true,
          email: readStringMap(event.request.userAttributes).email,
        },
        config.emailHint,
      );

      const started = now();
      let state = previousCode(session);
      let step: "reuse-code" | "send-code" | "pretend-send";
      if (state !== undefined && started < state.expiresAt) {
        step = "reuse-code";
      } else {
        const code = generateCode(config.codeLength, deps.randomInt);
        state = hashCode(code, started + config.codeTtlSeconds * 1000);
        if (recipient.kind === "deliver") {
          step = "send-code";
          // One deadline for the send and its SDK retries (the invocation's only AWS call):
          // AWS_CALL_BUDGET_MS, or less when the Lambda has less time left (Cognito waits 5 s).
          const deadline = Deadline.start(config.common, context);
          try {
            await sender.send(
              {
                to: recipient.email,
                subject: renderTemplate(config.template.subject, { code, minutes }),
                body: renderTemplate(config.template.body, { code, minutes }),
              },
              deadline,
            );
          } finally {
            deadline.dispose();
          }
          sendMs = Math.round(sendMs * 0.8 + (now() - started) * 0.2);
        } else {
          step = "pretend-send";
          // Jitter of +-25% around the running estimate of a real send, but never longer than
          // a real send may take (the AWS budget) nor past the Lambda's own time: a pretend
          // step that timed out where real ones succeed would tell unknown users apart.
          const jittered = Math.round(sendMs * (0.75 + Math.random() * 0.5));
          const lambdaLeft =
            typeof context?.getRemainingTimeInMillis === "function"
              ? context.getRemainingTimeInMillis() - LAMBDA_RESERVE_MS
              : Number.POSITIVE_INFINITY;
          await sleep(Math.max(0, Math.min(jittered, config.common.awsCallBudgetMs, lambdaLeft)));
        }
      }
      event.response = {
        publicChallengeParameters: { email: hint },
        privateChallengeParameters: toPrivateParameters(state),
        challengeMetadata: encodeMetadata(state),
      };
      logger.info("Custom auth challenge created", {
        step,
        ...(recipient.kind === "pretend" ? { pretendReason: recipient.reason } : {}),
        sessionLength: session.length,
      });
      return event;
    },
  );
}

/** What the verify-auth-challenge handler needs. */
export interface VerifyAuthDeps {
  readonly config: VerifyAuthConfig;
  readonly logger: Logger;
  /** Clock in epoch ms (tests inject one). */
  readonly now?: () => number;
}

/**
 * Build the verify-auth-challenge handler: `answerCorrect` only for a live code,
 * matched in constant time, of a user who can receive codes. A malformed answer
 * is simply wrong (no error), so it counts as an attempt like any other.
 */
export function createVerifyAuthChallengeHandler({
  config,
  logger,
  now = Date.now,
}: VerifyAuthDeps): VerifyHandler {
  return cognitoTrigger<VerifyAuthChallengeResponseTriggerEvent>(
    logger,
    TRIGGER_SOURCES.verifyAuthChallenge,
    (event) => {
      const state = fromPrivateParameters(readStringMap(event.request.privateChallengeParameters));
      const verdict = checkAnswer(state, event.request.challengeAnswer, now());
      const recipient = recipientOf(event.request, config.eligibility);
      const answerCorrect = verdict === "correct" && recipient.kind === "deliver";
      event.response = { answerCorrect };
      logger.info("Custom auth answer checked", {
        verdict: recipient.kind === "pretend" ? "pretend" : verdict,
      });
      return event;
    },
  );
}
