/**
 * The sign-in method round of app clients allowed magic links: a first CUSTOM_CHALLENGE that
 * asks which method, answered with `clientMetadata` (Cognito passes InitiateAuth's
 * ClientMetadata to no custom-auth trigger, RespondToAuthChallenge's to all three), and the
 * `challengeMetadata` markers by which later calls recognise each round in the session.
 */
import type { AuthFlow } from "./config";

/** `challengeMetadata` of the method round (create writes it; define recognises it). */
export const METHOD_METADATA = "METHOD1";
/** `challengeMetadata` of a magic-link challenge (sent, or awaiting a link the client holds). */
export const LINK_METADATA = "LINK1";

/** `privateChallengeParameters.kind` of the method round. */
export const METHOD_KIND = "choose-method";
/** `privateChallengeParameters.kind` of a magic-link challenge. */
export const LINK_KIND = "magic-link";

/** `publicChallengeParameters.challenge` of the method round. */
export const METHOD_CHALLENGE = "CHOOSE_METHOD";
/** `publicChallengeParameters.challenge` of a magic-link challenge. */
export const LINK_CHALLENGE = "MAGIC_LINK";

/** The `clientMetadata` key of the method round's answer saying what to do with a link. */
export const LINK_METADATA_KEY = "magicLink";
/** `request`: email me a link. `use`: I hold a link (send nothing; the next answer is its token). */
export const LINK_ACTIONS = ["request", "use"] as const;
/** What the client wants done with a magic link. */
export type LinkAction = (typeof LINK_ACTIONS)[number];

/** The method chosen in the method round. */
export type MethodChoice =
  | { readonly flow: "passwordless" }
  | { readonly flow: "magic-link"; readonly link: LinkAction };

/**
 * Read the method round's answer from `clientMetadata`: `authFlow` = `passwordless`, or
 * `magic-link` with `magicLink` = `request` | `use`. Undefined for anything else (the sign-in
 * then fails). Whether the client may use that flow is define's check, not this one's.
 */
export function readMethodChoice(
  clientMetadata: Readonly<Record<string, string>>,
  flowKey: string,
): MethodChoice | undefined {
  const flow = clientMetadata[flowKey];
  if (flow === "passwordless") return { flow };
  if (flow !== "magic-link") return undefined;
  const link = clientMetadata[LINK_METADATA_KEY];
  if (!(LINK_ACTIONS as readonly string[]).includes(link ?? "")) return undefined;
  return { flow, link: link as LinkAction };
}

/** The flows that go through the method round (the others keep their session shapes). */
export function usesMethodRound(allowed: ReadonlySet<AuthFlow>): boolean {
  return allowed.has("magic-link");
}

/** What the create step issues, read from the session (and the method round's answer). */
export type CreateStep =
  | { readonly kind: "method" }
  | { readonly kind: "code" }
  | { readonly kind: "link"; readonly action: "send" | "await" | "retry" }
  | { readonly kind: "invalid" };

/**
 * The challenge create issues: the code flows' as before for clients without magic links and
 * for SRP sessions; for the others, the method round first, then what its answer chose (a
 * code, a link to send, a link the client holds), then retries of the same. `invalid` for a
 * session define would have refused (create is then not called by Cognito).
 */
export function createStepOf(
  session: readonly { readonly challengeName: string; readonly challengeMetadata?: string }[],
  clientMetadata: Readonly<Record<string, string>>,
  allowed: ReadonlySet<AuthFlow>,
  flowKey: string,
): CreateStep {
  if (session[0]?.challengeName === "SRP_A" || !usesMethodRound(allowed)) return { kind: "code" };
  const first = session[0];
  if (first === undefined) return { kind: "method" };
  if (first.challengeMetadata !== METHOD_METADATA) return { kind: "invalid" };
  if (session.length === 1) {
    const choice = readMethodChoice(clientMetadata, flowKey);
    if (choice === undefined || !allowed.has(choice.flow)) return { kind: "invalid" };
    if (choice.flow === "passwordless") return { kind: "code" };
    return { kind: "link", action: choice.link === "request" ? "send" : "await" };
  }
  return session[1]?.challengeMetadata === LINK_METADATA
    ? { kind: "link", action: "retry" }
    : { kind: "code" };
}
