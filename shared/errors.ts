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

/**
 * Configuration is missing or malformed. Thrown at cold start; names the variable
 * (`Invalid configuration: X must be ...`), and for a JSON document the path inside it too
 * (`Invalid configuration: X.routes[0].route: expected ...`).
 */
export class ConfigError extends AppError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    problem: string,
    /** Inside a JSON document: the path of the value at fault, starting with `variable`. */
    readonly path?: string,
  ) {
    super(
      path === undefined
        ? `Invalid configuration: ${variable} ${problem}`
        : `Invalid configuration: ${path}: ${problem}`,
    );
  }
}

/** The event does not have the shape Cognito or API Gateway sends. */
export class InvalidEventError extends AppError {}

/** A call to an AWS service failed in a way that is not "already done". */
export class DependencyError extends AppError {}

/** How many characters of an untrusted value an error message quotes. */
export const QUOTE_LIMIT = 64;

/**
 * An untrusted value (a field of an event) as error-message text: a string is quoted and cut
 * to {@link QUOTE_LIMIT} characters (with its full length), anything else is named by its type
 * only. An object is never printed inside a message, where key-based log redaction cannot
 * reach it, and a huge value cannot make a huge log line.
 */
export function quoteUntrusted(value: unknown): string {
  if (typeof value !== "string") {
    if (value === null || value === undefined) return String(value);
    const kind = Array.isArray(value) ? "array" : typeof value;
    return `(${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind})`;
  }
  if (value.length <= QUOTE_LIMIT) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, QUOTE_LIMIT))}... (${value.length} characters)`;
}
