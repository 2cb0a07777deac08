/**
 * The define-auth-challenge state machine, as a pure function of the session.
 *
 *   passwordless:   []                                   -> CUSTOM_CHALLENGE (send-code)
 *   password-code:  [SRP_A]                              -> PASSWORD_VERIFIER (check-password)
 *                   [SRP_A, PASSWORD_VERIFIER ok]        -> CUSTOM_CHALLENGE (send-code)
 *   both, then:     [..., CUSTOM_CHALLENGE wrong] x n    -> CUSTOM_CHALLENGE (retry-code) while n < max
 *                   [..., CUSTOM_CHALLENGE correct]      -> tokens (issue-tokens)
 *   anything else (unknown or out-of-order challenge, a code result whose
 *   challengeMetadata our create step did not write, wrong password, too many
 *   attempts, flow not allowed for the app client)      -> fail
 *
 * The flow is read from the session itself (Cognito does not pass InitiateAuth's
 * ClientMetadata to this trigger, so the first call can only know it this way)
 * and then checked against what the app client is allowed; `clientMetadata.authFlow`,
 * when a later call carries it, must name one of the client's allowed flows and agree.
 * Unlisted clients get CUSTOM_AUTH_DEFAULT_FLOWS (`password-code` unless set), so
 * passwordless sign-in exists only for clients that opted in.
 *
 * App clients allowed magic links start every session without a password with the method
 * round (method.ts): [] -> CUSTOM_CHALLENGE (choose-method); its answer's clientMetadata picks
 * the emailed code (then as above, one entry later), a link to be sent, or a link the client
 * holds; the link's answers then count like code answers. Other clients are unchanged.
 */
import { decodeMetadata } from "./code";
import { AUTH_FLOWS, type AuthFlow, FLOW_METADATA_KEY, type FlowPolicy } from "./config";
import { LINK_METADATA, METHOD_METADATA, readMethodChoice, usesMethodRound } from "./method";
import type { SessionEntry } from "./session";

/** Cognito's name for our one-time code challenge. */
export const CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE";
/** Cognito's name for the SRP start (the first session entry of the password flow). */
export const SRP_A = "SRP_A";
/** Cognito's name for the SRP password check. */
export const PASSWORD_VERIFIER = "PASSWORD_VERIFIER";

/** Why the sign-in fails (logged; the caller only sees Cognito's NotAuthorizedException). */
export type DenyReason =
  | "flow-not-allowed"
  | "invalid-client-metadata"
  | "flow-mismatch"
  | "out-of-order"
  | "code-not-issued"
  | "password-incorrect"
  | "too-many-attempts"
  | "not-eligible"
  | "method-not-chosen";

/** The steps of a challenge decision. */
export type ChallengeStep =
  | "check-password"
  | "send-code"
  | "retry-code"
  | "choose-method"
  | "send-link"
  | "await-link"
  | "retry-link";

/** What define-auth tells Cognito to do next. */
export type DefineDecision =
  | {
      readonly kind: "challenge";
      readonly step: ChallengeStep;
      readonly challengeName: typeof PASSWORD_VERIFIER | typeof CUSTOM_CHALLENGE;
      /** The flow; `choosing` during the method round. */
      readonly flow: AuthFlow | "choosing";
      /** Present (true) when the session started with the method round. */
      readonly methodRound?: true;
    }
  | {
      readonly kind: "allow";
      readonly step: "issue-tokens";
      readonly flow: AuthFlow;
      readonly methodRound?: true;
    }
  | { readonly kind: "deny"; readonly reason: DenyReason };

/** Everything the decision depends on, already read from the event. */
export interface DefineInput {
  readonly session: readonly SessionEntry[];
  readonly clientId: string;
  readonly clientMetadata: Readonly<Record<string, string>>;
  /** False for unknown / unconfirmed / undeliverable users: they can never be issued tokens. */
  readonly eligible: boolean;
  readonly maxAttempts: number;
  readonly flows: FlowPolicy;
}

/** The flows app client `clientId` may use. */
export function allowedFlows(policy: FlowPolicy, clientId: string): ReadonlySet<AuthFlow> {
  const listed = new Set<AuthFlow>();
  if (policy.passwordlessClientIds.has(clientId)) listed.add("passwordless");
  if (policy.passwordCodeClientIds.has(clientId)) listed.add("password-code");
  if (policy.magicLinkClientIds?.has(clientId)) listed.add("magic-link");
  return listed.size > 0 ? listed : policy.defaultFlows;
}

/**
 * The longest session a flow can reach: its password steps (or the method round) plus
 * `maxAttempts` answers.
 */
export function maxSessionLength(
  flow: AuthFlow | "choosing",
  maxAttempts: number,
  methodRound = false,
): number {
  return (flow === "password-code" ? 2 : methodRound ? 1 : 0) + maxAttempts;
}

const deny = (reason: DenyReason): DefineDecision => ({ kind: "deny", reason });

/** Decide the next step of a custom-auth sign-in. Pure; total over any session. */
export function decideNextStep(input: DefineInput): DefineDecision {
  const allowed = allowedFlows(input.flows, input.clientId);
  if (input.session[0]?.challengeName !== SRP_A && usesMethodRound(allowed)) {
    return decideWithMethodRound(input, allowed);
  }
  return decideCodeFlows(input, allowed);
}

/** The code-answer part of a session (the code or link answers), checked and decided. */
function decideAnswers(
  input: DefineInput,
  answers: readonly SessionEntry[],
  kind: "code" | "link",
  flow: AuthFlow,
  methodRound: boolean,
): DefineDecision {
  const extra = methodRound ? { methodRound: true as const } : {};
  for (const [index, entry] of answers.entries()) {
    if (entry.challengeName !== CUSTOM_CHALLENGE) return deny("out-of-order");
    if (entry.challengeResult && index !== answers.length - 1) return deny("out-of-order");
    const ours =
      kind === "code"
        ? decodeMetadata(entry.challengeMetadata) !== undefined
        : entry.challengeMetadata === LINK_METADATA;
    if (!ours) return deny("code-not-issued");
  }
  if (answers.length > input.maxAttempts) return deny("too-many-attempts");
  const last = answers.at(-1);
  if (last?.challengeResult === true) {
    return input.eligible
      ? { kind: "allow", step: "issue-tokens", flow, ...extra }
      : deny("not-eligible");
  }
  if (answers.length >= input.maxAttempts) return deny("too-many-attempts");
  return {
    kind: "challenge",
    step: kind === "code" ? "retry-code" : "retry-link",
    challengeName: CUSTOM_CHALLENGE,
    flow,
    ...extra,
  };
}

/**
 * Sessions of clients allowed magic links (without SRP): the method round, then the chosen
 * method. The choice is read from clientMetadata once (the method round's answer) and from
 * the session after that (the next entry's challengeMetadata says code or link).
 */
function decideWithMethodRound(input: DefineInput, allowed: ReadonlySet<AuthFlow>): DefineDecision {
  const { session } = input;
  const declared = input.clientMetadata[FLOW_METADATA_KEY];
  if (declared !== undefined && !(AUTH_FLOWS as readonly string[]).includes(declared)) {
    return deny("invalid-client-metadata");
  }
  if (declared !== undefined && !allowed.has(declared as AuthFlow)) {
    return deny("flow-not-allowed");
  }
  const first = session[0];
  if (first === undefined) {
    return {
      kind: "challenge",
      step: "choose-method",
      challengeName: CUSTOM_CHALLENGE,
      flow: "choosing",
      methodRound: true,
    };
  }
  // The method round's result is always false (verify never accepts it): a true one, or an
  // entry our create step did not write, is no method round of ours.
  if (
    first.challengeName !== CUSTOM_CHALLENGE ||
    first.challengeResult ||
    first.challengeMetadata !== METHOD_METADATA
  ) {
    return deny("out-of-order");
  }
  if (session.length === 1) {
    const choice = readMethodChoice(input.clientMetadata, FLOW_METADATA_KEY);
    if (choice === undefined) {
      return deny(declared === undefined ? "method-not-chosen" : "invalid-client-metadata");
    }
    if (!allowed.has(choice.flow)) return deny("flow-not-allowed");
    return {
      kind: "challenge",
      step:
        choice.flow === "passwordless"
          ? "send-code"
          : choice.link === "request"
            ? "send-link"
            : "await-link",
      challengeName: CUSTOM_CHALLENGE,
      flow: choice.flow,
      methodRound: true,
    };
  }
  const kind = session[1]?.challengeMetadata === LINK_METADATA ? "link" : "code";
  const flow: AuthFlow = kind === "link" ? "magic-link" : "passwordless";
  if (!allowed.has(flow)) return deny("flow-not-allowed");
  if (declared !== undefined && declared !== flow) return deny("flow-mismatch");
  return decideAnswers(input, session.slice(1), kind, flow, true);
}

/** Sessions of the two code flows, for clients not allowed magic links (and SRP sessions). */
function decideCodeFlows(input: DefineInput, allowed: ReadonlySet<AuthFlow>): DefineDecision {
  const { session } = input;
  const flow: AuthFlow = session[0]?.challengeName === SRP_A ? "password-code" : "passwordless";

  // clientMetadata can only pick among the client's own flows, and must agree with the session.
  const declared = input.clientMetadata[FLOW_METADATA_KEY];
  if (declared !== undefined) {
    if (!(AUTH_FLOWS as readonly string[]).includes(declared))
      return deny("invalid-client-metadata");
    if (!allowed.has(declared as AuthFlow)) return deny("flow-not-allowed");
    if (declared !== flow) return deny("flow-mismatch");
  }
  if (!allowed.has(flow)) return deny("flow-not-allowed");

  // The password steps: SRP_A (always true when present), then PASSWORD_VERIFIER.
  let codeStart = 0;
  if (flow === "password-code") {
    if (session[0]?.challengeResult !== true) return deny("out-of-order");
    if (session.length === 1) {
      return { kind: "challenge", step: "check-password", challengeName: PASSWORD_VERIFIER, flow };
    }
    const verifier = session[1];
    if (verifier?.challengeName !== PASSWORD_VERIFIER) return deny("out-of-order");
    if (!verifier.challengeResult) return deny("password-incorrect");
    codeStart = 2;
  }

  // The code steps: only CUSTOM_CHALLENGE entries, every one but the last wrong, and every
  // one a result for a code our create step issued: create always writes its hashed state
  // into challengeMetadata and Cognito carries it into the session, so an entry without it
  // is a result for no code of ours, whatever its challengeResult says.
  const answers = session.slice(codeStart);
  if (answers.length === 0) {
    return { kind: "challenge", step: "send-code", challengeName: CUSTOM_CHALLENGE, flow };
  }
  return decideAnswers(input, answers, "code", flow, false);
}
