/**
 * The revocation writer's handler factory: decide what the event asks (./event.ts), resolve
 * and write through the shared writer (./writer.ts), log the outcome. A failed AWS call is
 * thrown, so Lambda's asynchronous retries (and any on-failure destination) get the event.
 */
import { errorLabel } from "../aws/clients";
import type { Logger } from "../logger";
import { decideRevocation } from "./event";
import type { RevocationSink } from "./store";
import { revokeUser, type UserDirectory } from "./writer";

/** What one invocation did (also the function's return value, for `npm run invoke`). */
export type RevocationWriterResult =
  | { readonly outcome: "written"; readonly sub: string; readonly revokedAt: number }
  | { readonly outcome: "ignored"; readonly reason: string }
  | { readonly outcome: "unresolved"; readonly reason: string };

/** What the handler needs, built once per container. */
export interface RevocationWriterDeps {
  readonly config: {
    readonly userPoolIds: readonly string[] | undefined;
    readonly ttlSeconds: number;
  };
  readonly logger: Logger;
  readonly sink: RevocationSink;
  readonly directory: UserDirectory;
}

/** The log line of an event whose user could not be identified (an operator should look). */
export const UNRESOLVED_MESSAGE = "Revocation not written: user unresolved";

/** Build the handler EventBridge invokes. */
export function createRevocationWriterHandler(
  deps: RevocationWriterDeps,
): (event: unknown) => Promise<RevocationWriterResult> {
  const { config, logger } = deps;
  return async (event) => {
    logger.resetKeys();
    const decision = decideRevocation(event, config.userPoolIds);
    if (decision.kind === "ignore") {
      logger.info("Event ignored", { reason: decision.reason, eventName: decision.eventName });
      return { outcome: "ignored", reason: decision.reason };
    }
    logger.appendKeys({
      eventName: decision.eventName,
      eventId: decision.eventId,
      ...(decision.userPoolId === undefined ? {} : { userPoolId: decision.userPoolId }),
    });
    if (decision.kind === "unresolvable") {
      logger.error(UNRESOLVED_MESSAGE, { reason: decision.reason });
      return { outcome: "unresolved", reason: decision.reason };
    }
    let outcome: Awaited<ReturnType<typeof revokeUser>>;
    try {
      outcome = await revokeUser(decision.target, decision.revokedAt, {
        sink: deps.sink,
        directory: deps.directory,
        ttlSeconds: config.ttlSeconds,
      });
    } catch (error) {
      logger.error("Revocation write failed", { error: errorLabel(error) ?? "unknown" });
      throw error;
    }
    if (outcome.kind === "unresolved") {
      logger.error(UNRESOLVED_MESSAGE, { reason: outcome.reason });
      return { outcome: "unresolved", reason: outcome.reason };
    }
    // A sub identifies a user; it is not a secret (the authorizer's context carries it too).
    logger.info("Revocation written", {
      sub: outcome.sub,
      revokedAt: outcome.revokedAt,
      via: outcome.via,
    });
    return { outcome: "written", sub: outcome.sub, revokedAt: outcome.revokedAt };
  };
}
