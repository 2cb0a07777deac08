/**
 * The pre-token-generation handler: reads the user (or M2M client) from the
 * event, builds the claims with the pure functions in `claims.ts`, and writes
 * them in the response shape of the event's version.
 */

import { cognitoTrigger } from "../cognito-trigger";
import { InvalidEventError, UserFacingError } from "../errors";
import {
  type PreTokenGenerationTriggerEvent,
  type PreTokenGenerationV2TriggerEvent,
  type PreTokenGenerationV3TriggerEvent,
  readStringMap,
  TRIGGER_SOURCES,
} from "../events";
import type { Logger } from "../logger";
import {
  buildClientCustomisation,
  buildUserCustomisation,
  type TokenCustomisation,
  type UserContext,
} from "./claims";
import type { PreTokenConfig } from "./config";
import { detectVersion, toV1Response, toV2Response } from "./response-shapes";

/** Any pre-token-generation event, V1, V2 or V3. */
export type PreTokenEvent =
  | PreTokenGenerationTriggerEvent
  | PreTokenGenerationV2TriggerEvent
  | PreTokenGenerationV3TriggerEvent;

/** What the handler needs. */
export interface PreTokenHandlerDeps {
  /** The validated configuration (from `loadPreTokenConfig`). */
  readonly config: PreTokenConfig;
  /** The function's logger. */
  readonly logger: Logger;
}

/** The message a denied M2M client sees. */
export const CLIENT_DENIED_MESSAGE = "This client is not allowed to request tokens.";

function strings(value: unknown, path: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new InvalidEventError(`${path} is not an array of strings`);
  }
  return value as string[];
}

/** Read the user's attributes and groups from an untrusted event request. */
export function readUserContext(request: Record<string, unknown>): UserContext {
  const group = request.groupConfiguration;
  const groupConfiguration =
    typeof group === "object" && group !== null ? (group as Record<string, unknown>) : {};
  const preferredRole = groupConfiguration.preferredRole;
  return {
    attributes: readStringMap(request.userAttributes),
    groups: strings(groupConfiguration.groupsToOverride, "groupConfiguration.groupsToOverride"),
    iamRoles: strings(
      groupConfiguration.iamRolesToOverride,
      "groupConfiguration.iamRolesToOverride",
    ),
    ...(typeof preferredRole === "string" && preferredRole !== "" ? { preferredRole } : {}),
  };
}

function clientIdOf(event: { callerContext?: unknown }): string | undefined {
  const caller = event.callerContext as Record<string, unknown> | null | undefined;
  return typeof caller?.clientId === "string" ? caller.clientId : undefined;
}

function claimNames(c: TokenCustomisation): { id: string[]; access: string[] } {
  return { id: [...c.id.claims.keys()], access: [...c.access.claims.keys()] };
}

/**
 * Build the handler. Configuration warnings are logged here, once per
 * container (cold start), not per invocation.
 */
export function createPreTokenGenerationHandler({ config, logger }: PreTokenHandlerDeps) {
  for (const warning of config.warnings)
    logger.warn("Access-granting claim from a user-writable attribute", { warning });

  return cognitoTrigger<PreTokenEvent>(logger, TRIGGER_SOURCES.preTokenGeneration, (event) => {
    const version = detectVersion(event);
    const target = event as unknown as { response: unknown };
    if (event.triggerSource === "TokenGeneration_ClientCredentials") {
      const decision = buildClientCustomisation(config, clientIdOf(event));
      if (decision.kind === "deny") throw new UserFacingError(CLIENT_DENIED_MESSAGE);
      logDropped(logger, decision.customisation);
      target.response = toV2Response(decision.customisation, { m2m: true });
      logger.debug("Client token customised", {
        version,
        claims: claimNames(decision.customisation),
      });
      return event;
    }
    const customisation = buildUserCustomisation(
      config,
      readUserContext(event.request as Record<string, unknown>),
    );
    logDropped(logger, customisation);
    target.response =
      version === 1 ? toV1Response(customisation) : toV2Response(customisation, { m2m: false });
    logger.debug("User tokens customised", { version, claims: claimNames(customisation) });
    return event;
  });
}

// Names and reasons only: attribute values may be personal data.
function logDropped(logger: Logger, c: TokenCustomisation): void {
  for (const { claim, reason } of c.dropped) logger.warn("Claim left out", { claim, reason });
}
