/**
 * Inbound federation trigger: reshapes the attributes a SAML, OIDC or social provider sends
 * (rename, normalise emails, email_verified for trusted providers only, groups into a custom
 * attribute, everything else dropped) before Cognito writes them. See docs/inbound-federation.md.
 */
import type { InboundFederationTriggerHandler } from "aws-lambda";
import { loadInboundFederationConfig } from "../shared/inbound-federation/config";
import { createInboundFederationHandler } from "../shared/inbound-federation/handler";
import { createLogger } from "../shared/logger";

// Cold start: the mappings checked once per container.
const config = loadInboundFederationConfig(process.env);
const logger = createLogger("inboundFederation");
const inboundFederation = createInboundFederationHandler({ config, logger });

/** The Lambda handler Cognito invokes. */
export const handler: InboundFederationTriggerHandler = (event, context) =>
  inboundFederation(event, context);
