/** The handler's response: the last top-level (column 0) pretty-printed JSON object in `stdout`. */
export function lastJsonObject(stdout: string): unknown {
  const lines = stdout.split("\n");
  const end = lines.lastIndexOf("}");
  const start = lines.slice(0, end + 1).lastIndexOf("{");
  if (start < 0 || end < 0) throw new Error(`no JSON object in output:\n${stdout}`);
  return JSON.parse(lines.slice(start, end + 1).join("\n"));
}
