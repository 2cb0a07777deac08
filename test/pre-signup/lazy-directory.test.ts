/**
 * lazyDirectory: the Cognito directory (and its SDK client) is built on the first call, once,
 * and a failed build is tried again on the next call rather than kept.
 */
import { Deadline } from "../../shared/aws/clients";
import { lazyDirectory, type UserDirectory } from "../../shared/pre-signup/directory";
import { LocalUserDirectory } from "../../shared/pre-signup/local-directory";

const timing = { awsCallBudgetMs: 1000, awsCallTimeoutMs: 500 };

describe("lazyDirectory", () => {
  it("builds nothing until the first call, then builds once for every call", async () => {
    // Prepare
    const inner = new LocalUserDirectory([{ username: "u1", email: "jane@example.com" }]);
    const load = jest.fn(async (): Promise<UserDirectory> => inner);
    const directory = lazyDirectory(load);
    expect(load).not.toHaveBeenCalled();
    const deadline = Deadline.start(timing);

    // Act
    const [a, b] = await Promise.all([
      directory.findUsersByEmail("pool", "jane@example.com", deadline),
      directory.findUsersByEmail("pool", "jane@example.com", deadline),
    ]);
    const created = await directory.createNativeUser("pool", "john@example.com", deadline);
    deadline.dispose();

    // Assess
    expect(load).toHaveBeenCalledTimes(1);
    expect(a.map((u) => u.username)).toEqual(["u1"]);
    expect(b.map((u) => u.username)).toEqual(["u1"]);
    expect(created).toBe("john@example.com");
    expect(inner.calls.map((c) => c.operation)).toEqual([
      "ListUsers",
      "ListUsers",
      "AdminCreateUser",
    ]);
  });

  it("does not keep a failed build: the next call tries again", async () => {
    // Prepare
    const inner = new LocalUserDirectory([]);
    const load = jest
      .fn<Promise<UserDirectory>, []>()
      .mockRejectedValueOnce(new Error("module failed to load"))
      .mockResolvedValue(inner);
    const directory = lazyDirectory(load);
    const deadline = Deadline.start(timing);

    // Act / Assess
    await expect(directory.findUsersByEmail("pool", "a@example.com", deadline)).rejects.toThrow(
      "module failed to load",
    );
    await expect(directory.findUsersByEmail("pool", "a@example.com", deadline)).resolves.toEqual(
      [],
    );
    deadline.dispose();
    expect(load).toHaveBeenCalledTimes(2);
  });
});
