/**
 * The inbound federation handler: replaces the attributes a SAML, OIDC or social provider sent
 * with the configured mapping's result. No AWS call, no I/O.
 */
import type { Context, InboundFederationTriggerEvent } from "aws-lambda";
import { cognitoTrigger } from "../cognito-trigger";
import { UserFacingError } from "../errors";
import type { Logger } from "../logger";
import type { InboundFederationConfig } from "./config";
import { planFederation } from "./map";
import { INBOUND_FEDERATION_SOURCES } from "./sources";

/** What the user sees when their provider's data cannot be used. */
export const FEDERATION_REFUSED_MESSAGE =
  "Your sign-in provider did not send the details this app needs. Please contact your administrator.";

/** Build the handler from its cold-start config and logger. */
export function createInboundFederationHandler(deps: {
  readonly config: InboundFederationConfig;
  readonly logger: Logger;
}): (
  event: InboundFederationTriggerEvent,
  context?: Context,
) => Promise<InboundFederationTriggerEvent> {
  const { config, logger } = deps;
  return cognitoTrigger<InboundFederationTriggerEvent>(
    logger,
    INBOUND_FEDERATION_SOURCES,
    (event) => {
      const request = (event.request ?? {}) as Partial<InboundFederationTriggerEvent["request"]>;
      const plan = planFederation(
        { providerName: request.providerName, attributes: request.attributes },
        config,
      );
      const provider = typeof request.providerName === "string" ? request.providerName : undefined;
      if (plan.kind === "refuse") {
        logger.warn("Federated attributes refused", { provider, reason: plan.reason });
        throw new UserFacingError(FEDERATION_REFUSED_MESSAGE);
      }
      event.response = { userAttributesToMap: plan.attributes };
      // Names only: values are personal data.
      logger.info("Federated attributes mapped", {
        provider,
        providerType: request.providerType,
        attributes: Object.keys(plan.attributes),
        dropped: plan.dropped,
      });
      return event;
    },
  );
}
