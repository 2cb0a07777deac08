/** One deadline per invocation for all its AWS calls (shared/aws/clients.ts). */
import {
  Deadline,
  DeadlineExceededError,
  LAMBDA_RESERVE_MS,
  MIN_CALL_MS,
} from "../../shared/aws/clients";
import { DependencyError } from "../../shared/errors";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Deadline", () => {
  it("gives each call the shared signal and a timeout capped at the time left", () => {
    // Prepare
    const roomy = new Deadline(4000, 1500);
    const tight = new Deadline(600, 1500);
    // Act
    const a = roomy.callOptions("ListUsers");
    const b = roomy.callOptions("AdminLinkProviderForUser");
    const c = tight.callOptions("ListUsers");
    // Assess
    expect(a.requestTimeout).toBe(1500);
    expect(b.abortSignal).toBe(a.abortSignal);
    expect(c.requestTimeout).toBeLessThanOrEqual(600);
    expect(c.requestTimeout).toBeGreaterThan(500);
    roomy.dispose();
    tight.dispose();
  });

  it("aborts its signal when it passes, and then starts no call", async () => {
    // Prepare
    const deadline = new Deadline(MIN_CALL_MS + 20, 1500);
    const { abortSignal } = deadline.callOptions("ListUsers");
    // Act
    await sleep(MIN_CALL_MS + 60);
    // Assess
    expect(abortSignal.aborted).toBe(true);
    expect(abortSignal.reason).toBeInstanceOf(DeadlineExceededError);
    expect(deadline.expired).toBe(true);
    expect(() => deadline.callOptions("AdminLinkProviderForUser")).toThrow(DeadlineExceededError);
  });

  it("starts no call with less than MIN_CALL_MS left", () => {
    const deadline = new Deadline(MIN_CALL_MS - 1, 1500);
    expect(() => deadline.callOptions("ListUsers")).toThrow(/ListUsers not started/);
    deadline.dispose();
  });

  it("takes less than the budget when the Lambda context has less time left", () => {
    const timing = { awsCallBudgetMs: 4000, awsCallTimeoutMs: 1500 };
    const short = Deadline.start(timing, { getRemainingTimeInMillis: () => 1000 });
    const long = Deadline.start(timing, { getRemainingTimeInMillis: () => 60_000 });
    const none = Deadline.start(timing, undefined);
    expect(short.remainingMs()).toBeLessThanOrEqual(1000 - LAMBDA_RESERVE_MS);
    expect(long.remainingMs()).toBeLessThanOrEqual(4000);
    expect(long.remainingMs()).toBeGreaterThan(3900);
    expect(none.remainingMs()).toBeGreaterThan(3900);
    for (const d of [short, long, none]) d.dispose();
  });

  it("names a failure after the deadline a DeadlineExceededError, before it a DependencyError", () => {
    const live = new Deadline(4000, 1500);
    const throttled = Object.assign(new Error("Rate exceeded"), {
      name: "TooManyRequestsException",
    });
    const before = live.failure("ListUsers", throttled);
    live.dispose();
    const after = live.failure("ListUsers", throttled);
    expect(before).toBeInstanceOf(DependencyError);
    expect(before).not.toBeInstanceOf(DeadlineExceededError);
    expect(before.message).toBe("ListUsers failed (TooManyRequestsException)");
    expect(after).toBeInstanceOf(DeadlineExceededError);
    expect(after.cause).toBe(throttled);
  });

  it("portion gives a part of the invocation a share of the time left, ending before the whole", async () => {
    // Prepare
    const whole = new Deadline(1000, 1500);

    // Act
    const part = whole.portion(0.2);
    const { requestTimeout } = part.callOptions("GetItem");
    await sleep(230);

    // Assess: the part has passed, the whole has not.
    expect(requestTimeout).toBeLessThanOrEqual(200);
    expect(requestTimeout).toBeGreaterThan(150);
    expect(part.expired).toBe(true);
    expect(whole.expired).toBe(false);
    expect(whole.remainingMs()).toBeGreaterThan(600);
    part.dispose();
    whole.dispose();
  });

  it("aborts calls still running when the invocation ends", () => {
    const deadline = new Deadline(4000, 1500);
    const { abortSignal } = deadline.callOptions("ListUsers");
    deadline.dispose();
    expect(abortSignal.aborted).toBe(true);
  });
});
