/**
 * The pre-signup handler: guards the event, applies {@link decideSignUp}, and
 * for federated first sign-ins runs the linking step through the injected
 * {@link UserDirectory}. Built with its dependencies so tests pass their own.
 *
 * Each invocation has one {@link Deadline} for all its Cognito calls (at most:
 * ListUsers, AdminCreateUser, ListUsers, AdminLinkProviderForUser, ListUsers).
 */
import type { Context } from "aws-lambda";
import { type CallTiming, DEFAULT_CALL_TIMING, type Deadline } from "../aws/clients";
import { cognitoTrigger } from "../cognito-trigger";
import { DependencyError, UserFacingError } from "../errors";
import { type PreSignUpTriggerEvent, readStringMap, TRIGGER_SOURCES } from "../events";
import type { Logger } from "../logger";
import {
  type DecisionConfig,
  decideLink,
  decideSignUp,
  type FederatedDecision,
  type FederatedSignIn,
  planFederated,
  type SignUpRequest,
} from "./decide";
import type { UserDirectory } from "./directory";

/** What the pre-signup handler needs. */
export interface PreSignUpDeps {
  /** The parsed config ({@link PreSignUpConfig} or a plain object with the decision keys). */
  readonly config: DecisionConfig;
  /** Cognito, or the local stand-in. */
  readonly directory: UserDirectory;
  readonly logger: Logger;
  /** The invocation budget and per-attempt timeout (`config.common`); the shared defaults when absent. */
  readonly timing?: CallTiming;
}

/** Read the parts of the event the decisions use, guarding what arrives untrusted. */
export function toSignUpRequest(event: PreSignUpTriggerEvent): SignUpRequest {
  const request = event.request as unknown as Record<string, unknown>;
  return {
    triggerSource: event.triggerSource,
    userName: event.userName,
    userAttributes: readStringMap(request.userAttributes),
    validationData: readStringMap(request.validationData),
    clientMetadata: readStringMap(request.clientMetadata),
  };
}

/** Build the Lambda handler for all three pre-signup trigger sources. */
export function createPreSignUpHandler(
  deps: PreSignUpDeps,
): (event: PreSignUpTriggerEvent, context?: Context) => Promise<PreSignUpTriggerEvent> {
  const { config, directory, logger } = deps;
  const timing = deps.timing ?? DEFAULT_CALL_TIMING;

  async function resolveFederated(
    userPoolId: string,
    federated: FederatedSignIn,
    deadline: Deadline,
  ): Promise<FederatedDecision> {
    let step = planFederated(federated, config);
    if (step.kind !== "lookup") return step;
    const lookup = { email: step.email, identity: step.identity };
    if (federated.subjectCaseSafe === false) {
      // A case-insensitive pool may have lowered the subject: a link made with it would not
      // match the next sign-in. PRE_SIGNUP_SUBJECT_ATTRIBUTE carries the IdP's spelling.
      logger.warn("Federated subject case unconfirmed", {
        federatedProvider: lookup.identity.providerName,
        subjectAttribute: config.subjectAttribute,
      });
    }
    const users = await directory.findUsersByEmail(userPoolId, lookup.email, deadline);
    step = decideLink(lookup, users, config);
    if (step.kind !== "create-native-and-link") return step;

    const created = await directory.createNativeUser(userPoolId, step.email, deadline);
    if (created !== undefined) {
      logger.info("Created native user for federated sign-in", {
        federatedProvider: lookup.identity.providerName,
      });
      return {
        kind: "link",
        destination: created,
        identity: lookup.identity,
        alreadyLinked: false,
      };
    }
    // The username is taken. Usually a concurrent first sign-in created the native user
    // between our ListUsers and AdminCreateUser: find it and link to it (never create a
    // second one). Otherwise it is held by a user without this verified email (in a pool with
    // free-form usernames anyone can register `victim@example.com` as a username): the
    // federated user is kept separate, as with allow-separate, rather than failing every
    // sign-in of this person for good.
    const again = decideLink(
      lookup,
      await directory.findUsersByEmail(userPoolId, lookup.email, deadline),
      { ...config, noNativeUserPolicy: "allow-separate", inviteOnly: false },
    );
    if (again.kind === "separate") {
      logger.warn("Native username taken by a user without this verified email", {
        reason: again.reason,
        federatedProvider: lookup.identity.providerName,
      });
    }
    return again;
  }

  async function decideAndApply(
    event: PreSignUpTriggerEvent,
    deadline: Deadline,
  ): Promise<PreSignUpTriggerEvent> {
    const decision = decideSignUp(toSignUpRequest(event), config);
    if (decision.kind === "deny") {
      logger.info("Sign-up denied", { reason: decision.reason });
      throw new UserFacingError(decision.message);
    }
    if (decision.federated) {
      const step = await resolveFederated(event.userPoolId, decision.federated, deadline);
      switch (step.kind) {
        case "refuse":
          logger.info("Federated sign-in refused", { reason: step.reason });
          throw new UserFacingError(step.message);
        case "separate":
          logger.info("Federated user kept separate", { reason: step.reason });
          break;
        case "link": {
          const result = step.alreadyLinked
            ? "already-linked"
            : await directory.linkProvider(
                event.userPoolId,
                step.destination,
                step.identity,
                deadline,
              );
          logger.info("Federated identity linked", {
            result,
            federatedProvider: step.identity.providerName,
          });
          // Cognito ends this first sign-in with "Already found an entry for username"
          // after a link; a clear message of our own lets client apps retry once.
          if (config.afterLink === "fail-with-message") {
            throw new UserFacingError(config.linkedMessage);
          }
          break;
        }
        default:
          // lookup / create-native-and-link are resolved above; reaching here is a bug.
          throw new DependencyError(`unexpected federated step ${step.kind}`);
      }
    }
    event.response = { ...event.response, ...decision.response };
    return event;
  }

  // The wrapper starts one deadline for the whole invocation, from its start: every Cognito
  // call gets its signal, and none starts (nor retries) after it.
  return cognitoTrigger<PreSignUpTriggerEvent>(
    logger,
    TRIGGER_SOURCES.preSignUp,
    (event, _context, deadline) => decideAndApply(event, deadline),
    { timing },
  );
}
