/**
 * Type guards for untrusted values (events, parsed JSON configuration), shared by every area.
 */

/** True for a plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
