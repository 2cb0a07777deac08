/**
 * The suite's small error hierarchy.
 *
 * Only a {@link UserFacingError} may carry its message to the end user (Cognito
 * shows a trigger's error as `<Trigger> failed with error <message>.`). Every
 * other error is logged with its cause and replaced by {@link GENERIC_ERROR_MESSAGE}.
 */

/** The message an end user sees for any failure that was not written for them. */
export const GENERIC_ERROR_MESSAGE = "Something went wrong. Please try again later.";

/** Base class: every error the suite throws on purpose extends it. */
export class AppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An error whose message is written for, and safe to show to, the end user. */
export class UserFacingError extends AppError {}

/** Configuration is missing or malformed. Thrown at cold start; names the variable. */
export class ConfigError extends AppError {
  constructor(
    /** The environment variable (or config path) at fault. */
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

/** The event does not have the shape Cognito or API Gateway sends. */
export class InvalidEventError extends AppError {}

/** A call to an AWS service failed in a way that is not "already done". */
export class DependencyError extends AppError {}

/**
 * The message that may reach the end user for `error`: its own message for a
 * {@link UserFacingError}, the generic message for everything else.
 */
export function publicMessage(error: unknown): string {
  return error instanceof UserFacingError ? error.message : GENERIC_ERROR_MESSAGE;
}
