/**
 * The three custom-auth trigger handlers, built from injected config, logger,
 * sender and clock so tests (and the Cognito harness in test/custom-auth) can
 * drive whole sign-ins. `functions/*-auth-challenge.ts` build them once per container.
 */
import type { Context } from "aws-lambda";
import type { Deadline } from "../aws/clients";
import { cognitoTrigger } from "../cognito-trigger";
import { DependencyError, InvalidEventError } from "../errors";
import {
  type CreateAuthChallengeTriggerEvent,
  type DefineAuthChallengeTriggerEvent,
  readStringMap,
  TRIGGER_SOURCES,
  type VerifyAuthChallengeResponseTriggerEvent,
} from "../events";
import { type AttemptStore, attemptsKey, type FailureCount } from "../lockout/attempt-store";
import type { LockoutConfig } from "../lockout/config";
import { isLockedOut } from "../lockout/decide";
import { failOpen } from "../lockout/fail-open";
import type { Logger } from "../logger";
import { type DeliveryOutcome, sendOnce } from "../messaging/delivery";
import type { EmailSender } from "../messaging/email";
import { writeMessage } from "../messaging/messages";
import type { Catalog } from "../messaging/templates";
import {
  type AnswerVerdict,
  type CodeState,
  checkAnswer,
  decodeMetadata,
  encodeMetadata,
  fromPrivateParameters,
  generateCode,
  hashCode,
  type RandomInt,
  toPrivateParameters,
  unmatchableState,
} from "./code";
import {
  type CreateAuthConfig,
  type DefineAuthConfig,
  FLOW_METADATA_KEY,
  type VerifyAuthConfig,
} from "./config";
import { allowedFlows, CUSTOM_CHALLENGE, decideNextStep } from "./define";
import type { LinkSigner, PublicKeySource } from "./magic-link/link-signer";
import { issueLink, type LinkVerdict, useLink } from "./magic-link/links";
import type { LiveLinkStore } from "./magic-link/live-link-store";
import { publicEmailHint } from "./mask";
import {
  createStepOf,
  LINK_CHALLENGE,
  LINK_KIND,
  LINK_METADATA,
  METHOD_CHALLENGE,
  METHOD_KIND,
  METHOD_METADATA,
} from "./method";
import { type PretendReason, readSession, recipientOf } from "./session";
import { renderCodeEmail } from "./templates";

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

/** The lockout settings and the store they apply to (undefined: the lockout is off). */
interface Lockout {
  readonly threshold: number;
  readonly windowSeconds: number;
  readonly store: AttemptStore;
}

/** Pair the lockout config with its store; a config without a store is a wiring mistake. */
function lockoutOf(
  config: LockoutConfig | undefined,
  store: AttemptStore | undefined,
  logger: Logger,
  localMode: boolean,
): Lockout | undefined {
  if (config === undefined) {
    // Not silent: a deployment without the table runs with the per-sign-in limit only.
    if (!localMode) {
      logger.warn("Cross-sign-in lockout is off: CUSTOM_AUTH_ATTEMPTS_TABLE_NAME is unset");
    }
    return undefined;
  }
  if (store === undefined) {
    throw new Error("custom auth: config.lockout is set but no attempts store was given");
  }
  return { threshold: config.threshold, windowSeconds: config.windowSeconds, store };
}

/** The counter's key of the event's user, and the `sub` logged with lockout lines (real users only). */
function lockoutSubject(event: {
  userPoolId: string;
  userName: string;
  request: { userAttributes?: unknown; userNotFound?: unknown };
}): { key: string; log: { sub?: string } } {
  const sub = readStringMap(event.request.userAttributes).sub;
  return {
    key: attemptsKey(event.userPoolId, event.userName),
    // The sub is an opaque id (never an email); unknown users have none.
    log: event.request.userNotFound !== true && sub !== undefined ? { sub } : {},
  };
}

/** Log fields describing a counter (no code, no address). */
function countFields(count: FailureCount): Record<string, unknown> {
  return {
    failures: count.failures,
    lockedUntil: new Date(count.windowEndsAt * 1000).toISOString(),
  };
}

/** What the create-auth-challenge handler needs. */
export interface CreateAuthDeps {
  readonly config: CreateAuthConfig;
  readonly logger: Logger;
  readonly sender: EmailSender;
  /** Clock in epoch ms (tests inject one). */
  readonly now?: () => number;
  /** Digit source (tests inject one); `crypto.randomInt` otherwise. */
  readonly randomInt?: RandomInt;
  /** Wait used on the pretend path (and after a failed send) so it takes as long as a real send. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform number in [0, 1) for the wait's jitter (tests inject one); `Math.random` otherwise. */
  readonly random?: () => number;
  /** The failure counters; required when `config.lockout` is set (see `createAttemptStore`). */
  readonly attempts?: AttemptStore;
  /** Magic links' signer and live-links store; required when `config.magicLink` is set. */
  readonly links?: { readonly signer: LinkSigner; readonly store: LiveLinkStore };
}

/** The magic-link email in the user's locale: subject, text and HTML. */
function linkEmail(
  catalog: Catalog,
  input: Parameters<typeof writeMessage>[2],
): { subject: string; text: string; html: string } {
  const message = writeMessage(catalog, "custom-auth-magic-link", input);
  return { subject: message.subject, text: message.text, html: message.html };
}

/** Outbox label of the magic-link emails in local mode. */
const LINK_EMAIL_LABEL = "custom-auth-magic-link";

/** Outbox label of the code emails in local mode (`<epoch ms>-<random>-custom-auth-<to>.txt`). */
const CODE_EMAIL_LABEL = "custom-auth";

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
 * The time a send is expected to take, learnt from this container's real sends: a running
 * average of successful ones, raised at once to the duration of a failed send that took
 * longer (a slow or hanging SES), so the pretend path waits as long as the failing real one.
 */
export class SendTimeEstimate {
  constructor(private ms: number) {}

  /** The current estimate (ms). */
  get value(): number {
    return this.ms;
  }

  /** Learn from one real send that took `tookMs` and ended with `status`. */
  record(status: DeliveryOutcome["status"], tookMs: number): void {
    if (status === "sent") this.ms = Math.round(this.ms * 0.8 + tookMs * 0.2);
    else if (tookMs > this.ms) this.ms = tookMs;
  }

  /**
   * How long the step waits for a send or its stand-in: the estimate +-25% (`random` in
   * [0, 1)), never longer than `remainingMs` (what a real send may take, within the Lambda's
   * own time): a pretend step that timed out where real ones succeed would tell users apart.
   */
  slot(random: number, remainingMs: number): number {
    return Math.max(0, Math.min(Math.round(this.ms * (0.75 + random * 0.5)), remainingMs));
  }
}

/**
 * Build the handler of Cognito's Create auth challenge trigger, which issues the challenge.
 * First code of a session: generate, hash, send once
 * (or pretend for users who cannot receive one, or who are locked out by the cross-sign-in
 * lockout). Retry within the session while the code is still valid: reuse the carried hash,
 * send nothing.
 *
 * A failed send does not fail the step: the failure is logged at ERROR and the challenge is
 * issued as on the pretend path, after the same wait, so an unknown user and a real one see the
 * same answer whatever SES does. The challenge carries the code that was (maybe) sent: if SES
 * accepted it after all, that is the code verify accepts.
 *
 * For app clients allowed magic links (sessions without SRP), the first challenge is the
 * method round (no side effect); after it, a code as above, or a magic-link challenge: a link
 * issued, stored and emailed on request (or the same wait on the pretend and throttled paths),
 * nothing sent for a link the client holds (docs/custom-auth.md, "Magic links").
 */
export function createIssueAuthChallengeHandler(deps: CreateAuthDeps): CreateHandler {
  const { config, logger, sender } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  const minutes = Math.ceil(config.codeTtlSeconds / 60);
  const lockout = lockoutOf(config.lockout, deps.attempts, logger, config.common.localMode);
  // Running estimate of how long a real send takes, so the pretend path looks the same.
  const sendTime = new SendTimeEstimate(config.pretendDelayMs);
  // A link request also writes the live link and signs it: its own estimate, of the whole.
  const linkTime = new SendTimeEstimate(config.pretendDelayMs);
  const magicLink = config.magicLink;
  if (magicLink !== undefined && deps.links === undefined) {
    throw new Error("custom auth: config.magicLink is set but no links signer/store was given");
  }

  /** Read the lockout counter (every user, known or not); true when locked out. */
  async function lockedOut(
    event: CreateAuthChallengeTriggerEvent,
    started: number,
    deadline: Deadline,
  ): Promise<boolean> {
    if (lockout === undefined) return false;
    const subject = lockoutSubject(event);
    // At most half of the time left: a slow DynamoDB fails open, leaving the send time to run.
    const readDeadline = deadline.portion(0.5);
    const count = await failOpen(logger, "read", () =>
      lockout.store.read(subject.key, started, readDeadline),
    ).finally(() => {
      readDeadline.dispose();
    });
    if (count === undefined || !isLockedOut(count, lockout.threshold, started)) return false;
    logger.warn("Custom auth code withheld: too many wrong answers across sign-ins", {
      lockout: "locked",
      ...countFields(count),
      ...subject.log,
    });
    return true;
  }

  /**
   * A magic-link challenge. `send`: issue and email a link (real users not locked out, not
   * throttled), else wait as long as that takes; `await`/`retry`: the client holds a link,
   * nothing is sent. The response is the same on every path.
   */
  async function linkChallenge(
    event: CreateAuthChallengeTriggerEvent,
    deadline: Deadline,
    action: "send" | "await" | "retry",
    hint: string,
    sessionLength: number,
  ): Promise<CreateAuthChallengeTriggerEvent> {
    const linkMessages = config.linkMessages;
    if (magicLink === undefined || deps.links === undefined || linkMessages === undefined) {
      throw new InvalidEventError(
        "magic-link challenge asked of a create step without magic links",
      );
    }
    const recipient = recipientOf(event.request, config.eligibility);
    let step: "send-link" | "await-link" | "retry-link" | "pretend-send" | "throttled" =
      action === "await" ? "await-link" : "retry-link";
    let pretendReason: PretendReason | "locked-out" | "no-sub" | undefined;
    let delivery: DeliveryOutcome["status"] | undefined;
    if (action === "send") {
      const started = now();
      const locked = await lockedOut(event, started, deadline);
      // Drawn the same way on every path, at the same point (see the code path).
      const slot = linkTime.slot(random(), deadline.remainingMs());
      const attributes = readStringMap(event.request.userAttributes);
      const sub = attributes.sub;
      if (recipient.kind === "pretend") pretendReason = recipient.reason;
      else if (locked) pretendReason = "locked-out";
      else if (sub === undefined) pretendReason = "no-sub";
      if (recipient.kind === "deliver" && pretendReason === undefined && sub !== undefined) {
        const userName = typeof event.userName === "string" ? event.userName : "";
        let failed: Error | undefined;
        step = "send-link";
        try {
          const issued = await issueLink(
            deps.links,
            { pool: event.userPoolId, user: userName, sub },
            magicLink,
            started,
            deadline,
          );
          if (issued.outcome === "throttled") {
            step = "throttled";
          } else {
            const outcome = await sendOnce(
              sender,
              {
                to: recipient.email,
                ...linkEmail(linkMessages, {
                  userName,
                  link: issued.url,
                  minutes: Math.ceil(magicLink.ttlSeconds / 60),
                  attributes,
                }),
                label: LINK_EMAIL_LABEL,
              },
              deadline,
            );
            delivery = outcome.status;
            if (outcome.status !== "sent") failed = outcome.error;
          }
        } catch (error) {
          // The store or KMS failed: no link exists to send. Same answer, logged below.
          if (!(error instanceof DependencyError)) throw error;
          delivery = "not-sent";
          failed = error;
        }
        const took = now() - started;
        if (step === "send-link") linkTime.record(delivery ?? "not-sent", took);
        if (failed !== undefined) {
          logger.error("Magic link email failed: challenge issued, no link delivered", {
            delivery,
            error: failed,
            errorType: failed.name,
          });
        }
        // Throttled, or failed sooner than a real send: wait out the rest of the slot.
        if (step === "throttled" || failed !== undefined) await sleep(Math.max(0, slot - took));
      } else {
        step = "pretend-send";
        await sleep(slot);
      }
    }
    event.response = {
      publicChallengeParameters: { challenge: LINK_CHALLENGE, email: hint },
      privateChallengeParameters: { kind: LINK_KIND },
      challengeMetadata: LINK_METADATA,
    };
    logger.info("Custom auth challenge created", {
      step,
      flow: "magic-link",
      ...(pretendReason !== undefined ? { pretendReason } : {}),
      ...(delivery !== undefined ? { delivery } : {}),
      sessionLength,
    });
    return event;
  }

  return cognitoTrigger<CreateAuthChallengeTriggerEvent>(
    logger,
    TRIGGER_SOURCES.createAuthChallenge,
    // The wrapper's one deadline bounds the lockout read and the send: AWS_CALL_BUDGET_MS, or
    // less when the Lambda has less time left (Cognito waits 5 s).
    async (event, _context, deadline) => {
      if (event.request.challengeName !== CUSTOM_CHALLENGE) {
        throw new InvalidEventError("create-auth-challenge called for a non-custom challenge");
      }
      const session = readSession(event.request.session);
      const clientId =
        typeof event.callerContext?.clientId === "string" ? event.callerContext.clientId : "";
      const created = createStepOf(
        session,
        readStringMap(event.request.clientMetadata),
        allowedFlows(config.flows, clientId),
        FLOW_METADATA_KEY,
      );
      if (created.kind === "invalid") {
        throw new InvalidEventError("create-auth-challenge called for a session define refuses");
      }
      if (created.kind === "method") {
        // The method round: the same for every user, no side effect (nothing to time).
        event.response = {
          publicChallengeParameters: { challenge: METHOD_CHALLENGE },
          privateChallengeParameters: { kind: METHOD_KIND },
          challengeMetadata: METHOD_METADATA,
        };
        logger.info("Custom auth challenge created", {
          step: "choose-method",
          sessionLength: session.length,
        });
        return event;
      }
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
      if (created.kind === "link") {
        return linkChallenge(event, deadline, created.action, hint, session.length);
      }

      const started = now();
      let state = previousCode(session);
      let step: "reuse-code" | "send-code" | "pretend-send";
      let delivery: DeliveryOutcome["status"] | undefined;
      let pretendReason: PretendReason | "locked-out" | undefined =
        recipient.kind === "pretend" ? recipient.reason : undefined;
      if (state !== undefined && started < state.expiresAt) {
        step = "reuse-code";
      } else {
        const code = generateCode(config.codeLength, deps.randomInt);
        state = hashCode(code, started + config.codeTtlSeconds * 1000);
        // Read for every user, known or not, so the step costs the same for all. The read
        // gets at most half of the time left: a slow DynamoDB fails open, leaving the send
        // time to run, instead of making every sign-in fail.
        const locked = await lockedOut(event, started, deadline);
        if (locked) {
          // The pretend path, with a state no answer matches: the whole sign-in fails.
          pretendReason = "locked-out";
          state = unmatchableState(state.length, state.expiresAt);
        }
        // Drawn the same way on both paths, at the same point: the pretend path waits this
        // long, and so does a real send that fails sooner.
        const slot = sendTime.slot(random(), deadline.remainingMs());
        if (recipient.kind === "deliver" && !locked) {
          step = "send-code";
          const sendStarted = now();
          const outcome = await sendOnce(
            sender,
            {
              to: recipient.email,
              ...renderCodeEmail(config.template, config.messages, {
                code,
                minutes,
                userName: typeof event.userName === "string" ? event.userName : "",
                attributes: readStringMap(event.request.userAttributes),
              }),
              label: CODE_EMAIL_LABEL,
            },
            deadline,
          );
          const took = now() - sendStarted;
          sendTime.record(outcome.status, took);
          delivery = outcome.status;
          if (outcome.status !== "sent") {
            logger.error("Custom auth code email failed: challenge issued, no code delivered", {
              delivery: outcome.status,
              error: outcome.error,
              errorType: outcome.error.name,
            });
            // A quick failure (rejected, refused) waits out the rest of the pretend slot.
            await sleep(Math.max(0, slot - took));
          }
        } else {
          step = "pretend-send";
          await sleep(slot);
        }
      }
      event.response = {
        publicChallengeParameters: { email: hint },
        privateChallengeParameters: toPrivateParameters(state),
        challengeMetadata: encodeMetadata(state),
      };
      logger.info("Custom auth challenge created", {
        step,
        ...(pretendReason !== undefined ? { pretendReason } : {}),
        ...(delivery !== undefined ? { delivery } : {}),
        sessionLength: session.length,
      });
      return event;
    },
    { timing: config.common },
  );
}

/** What the verify-auth-challenge handler needs. */
export interface VerifyAuthDeps {
  readonly config: VerifyAuthConfig;
  readonly logger: Logger;
  /** Clock in epoch ms (tests inject one). */
  readonly now?: () => number;
  /** The failure counters; required when `config.lockout` is set (see `createAttemptStore`). */
  readonly attempts?: AttemptStore;
  /** Magic links' public key and live-links store; required when `config.magicLink` is set. */
  readonly links?: { readonly publicKey: PublicKeySource; readonly store: LiveLinkStore };
}

/**
 * Build the verify-auth-challenge handler: `answerCorrect` only for a live code,
 * matched in constant time, of a user who can receive codes and is not locked out.
 * A malformed answer is simply wrong (no error), so it counts as an attempt like any
 * other. With the lockout on, every wrong answer (of any user, known or not) is counted,
 * and a correct one clears the counter unless the user is locked out (then it is refused).
 *
 * A magic-link answer is checked in memory (signature with the cached public key, pool,
 * user, sub, expiry), then used once (a conditional delete); it is right or wrong like a
 * code, and counted the same way. The method round's answer is never right and never counted.
 */
export function createVerifyAuthChallengeHandler({
  config,
  logger,
  now = Date.now,
  attempts,
  links,
}: VerifyAuthDeps): VerifyHandler {
  const lockout = lockoutOf(config.lockout, attempts, logger, config.common.localMode);
  if (config.magicLink !== undefined && links === undefined) {
    throw new Error("custom auth: config.magicLink is set but no public key/store was given");
  }
  return cognitoTrigger<VerifyAuthChallengeResponseTriggerEvent>(
    logger,
    TRIGGER_SOURCES.verifyAuthChallenge,
    async (event, _context, deadline) => {
      const nowMs = now();
      const parameters = readStringMap(event.request.privateChallengeParameters);
      if (parameters.kind === METHOD_KIND) {
        // The method round's answer is never right (define reads the choice, not the result)
        // and no guess: it counts toward no limit.
        event.response = { answerCorrect: false };
        logger.info("Custom auth answer checked", { verdict: "method-chosen" });
        return event;
      }
      const recipient = recipientOf(event.request, config.eligibility);
      let verdict: AnswerVerdict | LinkVerdict | "magic-link-off";
      if (parameters.kind === LINK_KIND) {
        if (links === undefined) {
          logger.error("Magic-link answer while magic links are off in verify", {
            verdict: "magic-link-off",
          });
          verdict = "magic-link-off";
        } else if (recipient.kind === "pretend") {
          verdict = "bad-signature";
        } else {
          // A store failure throws (fail closed): the step fails and the link stays usable.
          verdict = await useLink(
            links,
            event.request.challengeAnswer,
            {
              pool: event.userPoolId,
              user: typeof event.userName === "string" ? event.userName : "",
              sub: readStringMap(event.request.userAttributes).sub,
            },
            nowMs,
            deadline,
          );
        }
      } else {
        verdict = checkAnswer(
          fromPrivateParameters(parameters),
          event.request.challengeAnswer,
          nowMs,
        );
      }
      let answerCorrect =
        (verdict === "correct" || verdict === "valid") && recipient.kind === "deliver";
      let lockedOut = false;
      let failures: number | undefined;
      if (lockout !== undefined) {
        const subject = lockoutSubject(event);
        if (answerCorrect) {
          const outcome = await failOpen(logger, "clear", () =>
            lockout.store.clearUnlessLocked(subject.key, nowMs, lockout.threshold, deadline),
          );
          if (outcome === "locked") {
            lockedOut = true;
            answerCorrect = false;
            logger.warn("Custom auth correct answer refused: locked out across sign-ins", {
              lockout: "locked",
              ...subject.log,
            });
          }
        } else {
          const count = await failOpen(logger, "record-failure", () =>
            lockout.store.recordFailure(subject.key, nowMs, lockout.windowSeconds, deadline),
          );
          failures = count?.failures;
          // Exactly one call sees the threshold reached, even among concurrent ones.
          if (count !== undefined && count.failures === lockout.threshold) {
            logger.warn("Custom auth user locked out: too many wrong answers across sign-ins", {
              lockout: "threshold-reached",
              ...countFields(count),
              ...subject.log,
            });
          }
        }
      }
      event.response = { answerCorrect };
      logger.info("Custom auth answer checked", {
        verdict: recipient.kind === "pretend" ? "pretend" : lockedOut ? "locked-out" : verdict,
        ...(failures !== undefined ? { failures } : {}),
      });
      return event;
    },
    { timing: config.common },
  );
}
