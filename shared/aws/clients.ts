/**
 * AWS SDK client configuration shared by the adapters: bounded per-attempt
 * timeouts and attempts, so a slow dependency fails well inside Cognito's
 * 5-second trigger limit instead of timing the trigger out.
 *
 * Per-attempt bounds alone do not bound an invocation that makes several calls
 * one after another, so each invocation also gets one {@link Deadline}: every
 * `client.send` receives its `abortSignal` and a `requestTimeout` capped at the
 * time left, and no call (nor SDK retry) starts once it has passed.
 *
 * Clients are created once per container by the function modules and passed
 * to the adapters (`client ?? new XClient(sdkClientConfig(config))`).
 */
import type { Context } from "aws-lambda";
import {
  type CommonConfig,
  DEFAULT_AWS_CALL_BUDGET_MS,
  DEFAULT_AWS_CALL_TIMEOUT_MS,
} from "../config/common";
import { DependencyError } from "../errors";

/** The subset of SDK v3 client options the suite sets. */
export interface SdkClientConfig {
  readonly maxAttempts: number;
  readonly requestHandler: {
    readonly requestTimeout: number;
    readonly connectionTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
}

/**
 * Client options from the common config: `maxAttempts` attempts of at most
 * `awsCallTimeoutMs` each (connection set up within a third of that).
 * `loadCommonConfig` refuses settings whose attempts x timeout exceed the
 * invocation budget; the {@link Deadline} bounds the sum of an invocation's calls.
 *
 * `throwOnRequestTimeout` matters: without it, @smithy/node-http-handler 4.x only logs a
 * warning when `requestTimeout` passes and the call keeps waiting past Cognito's limit.
 */
export function sdkClientConfig(
  config: Pick<CommonConfig, "awsCallTimeoutMs" | "awsMaxAttempts">,
): SdkClientConfig {
  return {
    maxAttempts: config.awsMaxAttempts,
    requestHandler: {
      requestTimeout: config.awsCallTimeoutMs,
      connectionTimeout: Math.max(100, Math.floor(config.awsCallTimeoutMs / 3)),
      throwOnRequestTimeout: true,
    },
  };
}

// Local engines (dynalite, cognito-local) accept any credentials; there are none on a developer
// machine without an AWS account, and the SDK would fail looking for them.
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
const LOCAL_REGION = "eu-west-1";

/** Client options for a local engine at `endpoint`: dummy credentials, `region` or eu-west-1. */
export function localEngineOptions(
  endpoint: string,
  region: string | undefined,
): {
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly region: string;
} {
  return { endpoint, credentials: LOCAL_CREDENTIALS, region: region ?? LOCAL_REGION };
}

/** The `name` of an SDK v3 service exception, or undefined for anything else. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "name" in error) {
    const name = (error as { name: unknown }).name;
    return typeof name === "string" ? name : undefined;
  }
  return undefined;
}

// Node's network error codes (ECONNREFUSED, ETIMEDOUT, ENOTFOUND, EAI_AGAIN...): the SDK passes
// these errors through with the generic name "Error", so the code is what says what happened.
const NETWORK_CODE = /^E[A-Z0-9_]{2,30}$/;

// The common ones, looked for in the message when the SDK has wrapped the error without its
// `code` ("AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:4566": it does that
// to errors from another JavaScript realm, as under a test runner's sandbox).
const WRAPPED_NETWORK_CODE =
  /\b(ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE)\b/;

/** The network error code (`ECONNREFUSED`, `ETIMEDOUT`...) of a failed call, if it has one. */
export function networkErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return NETWORK_CODE.test(code) ? code : undefined;
  const message = (error as { message?: unknown }).message;
  return typeof message === "string" ? WRAPPED_NETWORK_CODE.exec(message)?.[1] : undefined;
}

/**
 * What a failed call's error is, for a message: the SDK error name (`MessageRejected`), the
 * network code when the name says nothing (`ECONNREFUSED` rather than `Error`), or both
 * (`TimeoutError, ETIMEDOUT`). Undefined when the error has neither.
 */
export function errorLabel(error: unknown): string | undefined {
  const name = awsErrorName(error);
  const code = networkErrorCode(error);
  if (code === undefined) return name;
  if (name === undefined || name === "Error" || name === code) return code;
  return `${name}, ${code}`;
}

/** The settings an invocation's {@link Deadline} is built from. */
export type CallTiming = Pick<CommonConfig, "awsCallBudgetMs" | "awsCallTimeoutMs">;

/** The shared defaults (AWS_CALL_BUDGET_MS, AWS_CALL_TIMEOUT_MS), for handlers built without a config. */
export const DEFAULT_CALL_TIMING: CallTiming = {
  awsCallBudgetMs: DEFAULT_AWS_CALL_BUDGET_MS,
  awsCallTimeoutMs: DEFAULT_AWS_CALL_TIMEOUT_MS,
};

/** A call is not started with less time than this left: it could not complete. */
export const MIN_CALL_MS = 100;

/** Kept back from the Lambda's own remaining time, for logging and returning the reply. */
export const LAMBDA_RESERVE_MS = 250;

/** The invocation's deadline passed: a call was stopped, or not started. */
export class DeadlineExceededError extends DependencyError {}

/** The second argument of `client.send(command, options)` for one bounded call. */
export interface CallOptions {
  /** Aborts the call (and any SDK retry) at the invocation deadline. */
  readonly abortSignal: AbortSignal;
  /** This call's per-attempt timeout: `AWS_CALL_TIMEOUT_MS`, or less when less time is left. */
  readonly requestTimeout: number;
}

/**
 * One invocation's deadline for all its AWS calls: `AWS_CALL_BUDGET_MS` from the start of
 * the invocation, or less when the Lambda context has less time left. Create it when the
 * invocation starts and {@link Deadline.dispose} it when it ends.
 */
export class Deadline {
  /** When the deadline passes (epoch milliseconds). */
  readonly expiresAt: number;
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    budgetMs: number,
    private readonly callTimeoutMs: number,
  ) {
    const ms = Math.max(0, Math.floor(budgetMs));
    this.expiresAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.controller.abort(new DeadlineExceededError(`invocation deadline of ${ms} ms passed`));
    }, ms);
    // The timer must not keep a process (a test, a local invoke) alive on its own.
    this.timer.unref?.();
  }

  /** Start the deadline of an invocation: `timing.awsCallBudgetMs`, capped by `context`'s remaining time. */
  static start(
    timing: CallTiming,
    context?: Partial<Pick<Context, "getRemainingTimeInMillis">>,
  ): Deadline {
    const lambdaLeft =
      typeof context?.getRemainingTimeInMillis === "function"
        ? context.getRemainingTimeInMillis() - LAMBDA_RESERVE_MS
        : Number.POSITIVE_INFINITY;
    return new Deadline(Math.min(timing.awsCallBudgetMs, lambdaLeft), timing.awsCallTimeoutMs);
  }

  /**
   * A deadline for one part of the invocation: `fraction` of the time left, with the same
   * per-call timeout, so a slow call in that part leaves the rest of the time to what follows
   * (the custom-auth lockout read before the email send). Dispose it when the part ends.
   */
  portion(fraction: number): Deadline {
    return new Deadline(this.remainingMs() * fraction, this.callTimeoutMs);
  }

  /** Milliseconds left (0 once passed). */
  remainingMs(): number {
    return this.controller.signal.aborted ? 0 : Math.max(0, this.expiresAt - Date.now());
  }

  /** True once the deadline has passed. */
  get expired(): boolean {
    return this.remainingMs() === 0;
  }

  /**
   * The options of one `client.send`. Throws a {@link DeadlineExceededError} instead of
   * starting a call with less than {@link MIN_CALL_MS} left.
   */
  callOptions(operation: string): CallOptions {
    const left = this.remainingMs();
    if (left < MIN_CALL_MS) {
      throw new DeadlineExceededError(
        `${operation} not started: ${left} ms left before the invocation deadline`,
      );
    }
    return {
      abortSignal: this.controller.signal,
      requestTimeout: Math.min(this.callTimeoutMs, left),
    };
  }

  /**
   * The domain error for a failed call: a {@link DeadlineExceededError} once the deadline has
   * passed (the SDK then reports an `AbortError` or a timeout), else a DependencyError with
   * `message` (by default `<operation> failed (<error label>)`, see {@link errorLabel}).
   */
  failure(operation: string, error: unknown, message?: string): DependencyError {
    if (this.expired) {
      return new DeadlineExceededError(`${operation} stopped at the invocation deadline`, {
        cause: error,
      });
    }
    return new DependencyError(
      message ?? `${operation} failed (${errorLabel(error) ?? "unknown"})`,
      { cause: error },
    );
  }

  /** The invocation is over: stop the timer, and abort any call still running (a sibling of a failed one). */
  dispose(): void {
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted) {
      this.controller.abort(new DeadlineExceededError("invocation ended"));
    }
  }
}

/**
 * The domain error for a failed AWS call, `<operation> failed: <error label>`: through the
 * invocation's deadline when there is one (a {@link DeadlineExceededError} once it has passed),
 * else a DependencyError. The SDK error is kept as the cause (it holds no secret).
 */
export function callFailure(
  operation: string,
  error: unknown,
  deadline?: Deadline,
): DependencyError {
  const message = `${operation} failed: ${errorLabel(error) ?? "unknown error"}`;
  return deadline
    ? deadline.failure(operation, error, message)
    : new DependencyError(message, { cause: error });
}

/** How {@link awsCall} treats a failed call. */
export interface CallHandling<T> {
  /** SDK error names that are an expected answer, not a failure, and the result each means. */
  readonly expected?: Readonly<Record<string, T>>;
  /** The domain error for any other failure; {@link callFailure} by default. */
  readonly fail?: (operation: string, error: unknown, deadline: Deadline | undefined) => Error;
  /**
   * The error for a call not started because too little time was left (by default the
   * {@link DeadlineExceededError} itself). Nothing was sent: an email sender calls it refused.
   */
  readonly notStarted?: (error: DeadlineExceededError) => Error;
}

/**
 * One AWS call within the invocation's deadline: `send` runs with the call's options (none
 * without a deadline: the client's own bounds only); an SDK error named in `expected` becomes
 * its result (`ConditionalCheckFailedException` -> "exists"), any other failure the domain error
 * of `fail`. Throws a {@link DeadlineExceededError} (or what `notStarted` makes of it), without
 * calling, when too little time is left.
 */
export async function awsCall<T>(
  operation: string,
  deadline: Deadline | undefined,
  send: (options: CallOptions | undefined) => Promise<T>,
  handling: CallHandling<T> = {},
): Promise<T> {
  let options: CallOptions | undefined;
  try {
    options = deadline?.callOptions(operation);
  } catch (error) {
    throw handling.notStarted !== undefined && error instanceof DeadlineExceededError
      ? handling.notStarted(error)
      : error;
  }
  try {
    return await send(options);
  } catch (error) {
    const name = awsErrorName(error);
    const { expected } = handling;
    if (name !== undefined && expected !== undefined && Object.hasOwn(expected, name)) {
      return expected[name] as T;
    }
    throw (handling.fail ?? callFailure)(operation, error, deadline);
  }
}
