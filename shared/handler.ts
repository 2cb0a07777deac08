/**
 * The wrapper every Cognito trigger handler goes through: it validates the
 * event envelope, adds the event's keys to the log, runs the trigger logic,
 * and turns any failure into an error that is safe to show the end user.
 */
import type { Context } from "aws-lambda";
import { AppError, GENERIC_ERROR_MESSAGE, UserFacingError } from "./errors";
import { assertTriggerEvent } from "./events";
import { appendEventKeys, type Logger } from "./logger";

/** The trigger logic: mutate `event.response` (or return a new event) for a validated event. */
export type TriggerLogic<E> = (
  event: E,
  context: Context | undefined,
) => Promise<E | undefined> | E | undefined;

/**
 * Build a Lambda handler for a Cognito trigger.
 *
 * - An event whose `triggerSource` is not one of `sources` fails with the generic message.
 * - A {@link UserFacingError} reaches the user with its own message, logged at info.
 * - Anything else is logged with its cause and becomes {@link GENERIC_ERROR_MESSAGE}, so
 *   no stack trace or internal detail reaches the end user (and Cognito may retry).
 */
export function cognitoTrigger<E extends { triggerSource: string }>(
  logger: Logger,
  sources: readonly E["triggerSource"][],
  logic: TriggerLogic<E>,
): (event: E, context?: Context) => Promise<E> {
  return async (event: E, context?: Context): Promise<E> => {
    appendEventKeys(logger, event);
    if (context) logger.addContext(context);
    try {
      assertTriggerEvent<E>(event, sources);
      const result = await logic(event, context);
      return result ?? event;
    } catch (error) {
      throw toPublicError(logger, error);
    }
  };
}

/** Log `error` and return the Error the caller may see. */
export function toPublicError(logger: Logger, error: unknown): Error {
  if (error instanceof UserFacingError) {
    logger.info("Request refused", { reason: error.message });
    return new Error(error.message);
  }
  logger.error("Trigger failed", {
    error: error instanceof Error ? error : new Error(String(error)),
    errorType: error instanceof AppError ? error.name : "UnexpectedError",
  });
  return new Error(GENERIC_ERROR_MESSAGE);
}
