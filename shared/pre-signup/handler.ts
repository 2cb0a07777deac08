/**
 * The pre-signup handler: guards the event, applies {@link decideSignUp}, and
 * for federated first sign-ins runs the linking step through the injected
 * {@link UserDirectory}. Built with its dependencies so tests pass their own.
 */
import type { Context } from "aws-lambda";
import { DependencyError, UserFacingError } from "../errors";
import { type PreSignUpTriggerEvent, readStringMap, TRIGGER_SOURCES } from "../events";
import { cognitoTrigger } from "../handler";
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

  async function resolveFederated(
    userPoolId: string,
    federated: FederatedSignIn,
  ): Promise<FederatedDecision> {
    let step = planFederated(federated, config);
    if (step.kind !== "lookup") return step;
    const lookup = { email: step.email, identity: step.identity };
    step = decideLink(lookup, await directory.findUsersByEmail(userPoolId, lookup.email), config);
    if (step.kind !== "create-native-and-link") return step;

    const created = await directory.createNativeUser(userPoolId, step.email);
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
    // A concurrent first sign-in created the native user between our ListUsers and
    // AdminCreateUser: find it and link to it (never create a second one).
    const again = decideLink(lookup, await directory.findUsersByEmail(userPoolId, lookup.email), {
      ...config,
      noNativeUserPolicy: "allow-separate",
      inviteOnly: false,
    });
    if (again.kind === "link" || again.kind === "refuse") return again;
    throw new DependencyError(`native user exists but cannot be linked (${again.kind})`);
  }

  return cognitoTrigger<PreSignUpTriggerEvent>(
    logger,
    TRIGGER_SOURCES.preSignUp,
    async (event: PreSignUpTriggerEvent) => {
      const decision = decideSignUp(toSignUpRequest(event), config);
      if (decision.kind === "deny") {
        logger.info("Sign-up denied", { reason: decision.reason });
        throw new UserFacingError(decision.message);
      }
      if (decision.federated) {
        const step = await resolveFederated(event.userPoolId, decision.federated);
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
              : await directory.linkProvider(event.userPoolId, step.destination, step.identity);
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
    },
  );
}
