/**
 * The validation kit of the JSON configuration documents (AUTHORIZER_CONFIG, PRE_TOKEN_CONFIG,
 * INBOUND_FEDERATION_MAPPINGS, ...): each reader checks one value at a path and returns it
 * typed, or throws a {@link JsonConfigError} naming that path,
 * `AUTHORIZER_CONFIG.userPools[1].clientIds: expected a non-empty array, got (a number)`.
 * `readJson` (env.ts) starts every path at the variable's name. Why in-house and not a schema
 * library: docs/adr/json-configuration-kit.md.
 */
import { quoteUntrusted } from "../errors";
import { isRecord } from "../guards";

/** Where a value sits in a document, starting with the variable: `AUTHORIZER_CONFIG.routes[0]`. */
export type JsonPath = string;

/** Checks a value found at a path and returns it typed (throws a {@link JsonConfigError}). */
export type JsonReader<T> = (value: unknown, path: JsonPath) => T;

/** A value of a JSON configuration document is not what it may hold. */
export class JsonConfigError extends Error {
  constructor(
    /** Where the value sits (see {@link JsonPath}). */
    readonly path: JsonPath,
    /** What is wrong with it, quoting the value as {@link quoteUntrusted} does. */
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The path of `key` under `path`: `.name`, `[1]`, or `["custom:plan"]` for other keys. */
export function at(path: JsonPath, key: string | number): JsonPath {
  if (typeof key === "number") return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${quoteUntrusted(key)}]`;
}

/** Throw a {@link JsonConfigError} at `path`. */
export function fail(path: JsonPath, problem: string): never {
  throw new JsonConfigError(path, problem);
}

/** Throw `<path>: expected <what>, got <the value, quoted and cut>`. */
export function expected(path: JsonPath, what: string, value: unknown): never {
  return fail(path, `expected ${what}, got ${quoteUntrusted(value)}`);
}

/** `read(value)`, or `fallback` when the key is absent (`undefined`; `null` is a wrong value). */
export function optional<T>(value: unknown, path: JsonPath, read: JsonReader<T>, fallback: T): T {
  return value === undefined ? fallback : read(value, path);
}

/** An object with only the keys in `allowed` (a key outside them fails at its own path). */
export function object(
  value: unknown,
  path: JsonPath,
  allowed: readonly string[],
): Record<string, unknown> {
  if (!isRecord(value)) expected(path, "an object", value);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(at(path, key), `unknown key (allowed: ${allowed.join(", ")})`);
  }
  return value;
}

/** An object used as a map: its entries, each value read by `read` at its key's path. */
export function entries<T>(
  value: unknown,
  path: JsonPath,
  read: (value: unknown, path: JsonPath, key: string) => T,
): [string, T][] {
  if (!isRecord(value)) expected(path, "an object", value);
  return Object.entries(value).map(([key, item]) => [key, read(item, at(path, key), key)]);
}

/** Options of {@link array}. */
export interface ArrayOptions {
  /** Fewest items (default 0). */
  readonly min?: number;
  /** Drop repeated items (the first one stays). */
  readonly unique?: boolean;
}

/** An array whose items `item` reads, each at its index's path. */
export function array<T>(
  value: unknown,
  path: JsonPath,
  item: JsonReader<T>,
  options: ArrayOptions = {},
): T[] {
  if (!Array.isArray(value)) expected(path, "an array", value);
  const min = options.min ?? 0;
  if (value.length < min) {
    expected(path, min === 1 ? "a non-empty array" : `at least ${min} items`, value);
  }
  const items = value.map((v, i) => item(v, at(path, i)));
  return options.unique ? [...new Set(items)] : items;
}

/** Options of {@link string}. */
export interface StringOptions {
  /** What a valid value is, for the message (default "a non-empty string"). */
  readonly what?: string;
  /** The value must match it. */
  readonly pattern?: RegExp;
  /** Longest accepted value. */
  readonly maxLength?: number;
  /** Trim before checking (default: a value with spaces around it is refused). */
  readonly trim?: boolean;
}

/** A non-empty string, without spaces around it unless `trim` is set. */
export function string(value: unknown, path: JsonPath, options: StringOptions = {}): string {
  const what = options.what ?? "a non-empty string";
  if (typeof value !== "string") expected(path, what, value);
  const text = options.trim ? value.trim() : value;
  if (text === "" || text !== text.trim()) expected(path, what, value);
  if (options.maxLength !== undefined && text.length > options.maxLength) {
    expected(path, `${what} of at most ${options.maxLength} characters`, value);
  }
  if (options.pattern !== undefined && !options.pattern.test(text)) expected(path, what, value);
  return text;
}

/** `true` or `false`. */
export function boolean(value: unknown, path: JsonPath): boolean {
  if (typeof value !== "boolean") expected(path, "true or false", value);
  return value;
}

/** One of `allowed` (case-sensitive). */
export function oneOf<T extends string>(value: unknown, path: JsonPath, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    expected(path, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`, value);
  }
  return value as T;
}
