/** The inbound federation trigger's sources (the registry and the handler read them). */
import type { InboundFederationTriggerEvent } from "aws-lambda";

/** The trigger sources this handler answers. */
export const INBOUND_FEDERATION_SOURCES = [
  "InboundFederation_ExternalProvider",
] as const satisfies readonly InboundFederationTriggerEvent["triggerSource"][];
