/**
 * Capture everything a test's code writes to stdout/stderr (the Powertools logger
 * writes there), so tests can assert on log lines and on what they must not contain.
 */

/** Lines captured since `captureOutput()` was called. */
export interface CapturedOutput {
  /** All captured text, stdout and stderr interleaved. */
  text(): string;
  /** Captured lines that parse as JSON (structured log lines). */
  jsonLines(): Record<string, unknown>[];
  /** Stop capturing and restore the streams. */
  restore(): void;
}

/** Start capturing process.stdout/stderr writes (and console output). */
export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    }),
  );
  const consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      chunks.push(
        `${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}\n`,
      );
    }),
  );
  return {
    text: () => chunks.join(""),
    jsonLines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line.trim().startsWith("{"))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    restore: () => {
      for (const spy of [...spies, ...consoleSpies]) spy.mockRestore();
    },
  };
}
