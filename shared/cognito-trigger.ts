/**
 * The wrapper every Cognito trigger handler goes through: it validates the
 * event envelope, adds the event's keys to the log, runs the trigger logic,
 * and turns any failure into an error that is safe to show the end user.
 */
import type { Context } from "aws-lambda";
import { type CallTiming, Deadline } from "./aws/clients";
import { AppError, GENERIC_ERROR_MESSAGE, UserFacingError } from "./errors";
import { assertTriggerEvent } from "./events";
import { appendEventKeys, type Logger } from "./logger";

/** The trigger logic: mutate `event.response` (or return a new event) for a validated event. */
export type TriggerLogic<E> = (
  event: E,
  context: Context | undefined,
) => Promise<E | undefined> | E | undefined;

/** Trigger logic that makes AWS calls: it also gets the invocation's {@link Deadline}. */
export type TimedTriggerLogic<E> = (
  event: E,
  context: Context | undefined,
  deadline: Deadline,
) => Promise<E | undefined> | E | undefined;

/** Options of {@link cognitoTrigger} for logic that makes AWS calls. */
export interface TimedTriggerOptions {
  /** The invocation budget and per-call timeout its {@link Deadline} is built from. */
  readonly timing: CallTiming;
}

/**
 * Build a Lambda handler for a Cognito trigger.
 *
 * - An event whose `triggerSource` is not one of `sources` fails with the generic message.
 * - A {@link UserFacingError} reaches the user with its own message, logged at info.
 * - Anything else is logged with its cause and becomes {@link GENERIC_ERROR_MESSAGE}, so
 *   no stack trace or internal detail reaches the end user (and Cognito may retry).
 * - With `options.timing`, the wrapper starts the invocation's one {@link Deadline} once the
 *   event is valid, hands it to `logic`, and disposes of it when the invocation ends, however
 *   it ends (its timer stopped, any call still running aborted).
 */
export function cognitoTrigger<E extends { triggerSource: string }>(
  logger: Logger,
  sources: readonly E["triggerSource"][],
  logic: TriggerLogic<E>,
): (event: E, context?: Context) => Promise<E>;
export function cognitoTrigger<E extends { triggerSource: string }>(
  logger: Logger,
  sources: readonly E["triggerSource"][],
  logic: TimedTriggerLogic<E>,
  options: TimedTriggerOptions,
): (event: E, context?: Context) => Promise<E>;
export function cognitoTrigger<E extends { triggerSource: string }>(
  logger: Logger,
  sources: readonly E["triggerSource"][],
  logic: TimedTriggerLogic<E>,
  options?: TimedTriggerOptions,
): (event: E, context?: Context) => Promise<E> {
  return async (event: E, context?: Context): Promise<E> => {
    appendEventKeys(logger, event);
    if (context) logger.addContext(context);
    let deadline: Deadline | undefined;
    try {
      assertTriggerEvent<E>(event, sources);
      // Without timing the logic makes no AWS call and never reads its third argument.
      deadline = options === undefined ? undefined : Deadline.start(options.timing, context);
      const result = await logic(event, context, deadline as Deadline);
      return result ?? event;
    } catch (error) {
      throw toPublicError(logger, error);
    } finally {
      deadline?.dispose();
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
