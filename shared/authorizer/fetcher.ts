/**
 * The JWKS downloader: global `fetch` under one deadline (connect, headers and body),
 * a running byte cap, a JWKS shape check, and a cool-down after any failure.
 * Why each bound exists: docs/authorizer.md#jwks-downloads.
 */
import type { Fetcher } from "aws-jwt-verify/https";
import { isRecord } from "../guards";

/** Thrown for any failed download; the handler turns it into 401. */
export class JwksFetchError extends Error {
  override name = "JwksFetchError";
}

/** Options of {@link BoundedFetcher}. */
export interface BoundedFetcherOptions {
  /** One deadline for the whole download (connect, headers and body), in ms. */
  readonly timeoutMs: number;
  /** After a failed download, refuse new ones to the same URI for this many ms. */
  readonly cooldownMs: number;
  /** Bodies larger than this are abandoned as soon as the running count passes it. */
  readonly maxBytes?: number;
  /** URIs never downloaded (their JWKS is bundled): refused without a request. */
  readonly neverDownload?: ReadonlySet<string>;
  /** Seam for tests. */
  readonly fetchImpl?: typeof fetch;
  /** Seam for tests. */
  readonly now?: () => number;
}

/** True when `body` parses as a JWKS: `{ "keys": [ {...}, ... ] }` with at least one key. */
export function isJwksBody(body: Uint8Array): boolean {
  try {
    const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body)) as unknown;
    if (typeof parsed !== "object" || parsed === null) return false;
    const keys = (parsed as { keys?: unknown }).keys;
    return Array.isArray(keys) && keys.length > 0 && keys.every(isRecord);
  } catch {
    return false;
  }
}

/**
 * Read `body` to the end, counting bytes as they arrive; past `maxBytes` the stream is
 * cancelled and the read fails (never buffering more than the cap plus one chunk).
 */
async function readCapped(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  deadline: Promise<never>,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new JwksFetchError("JWKS download too large");
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** A {@link Fetcher} with a bounded time and size per download and a cool-down after failures. */
export class BoundedFetcher implements Fetcher {
  private readonly blockedUntil = new Map<string, number>();
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly maxBytes: number;

  constructor(private readonly options: BoundedFetcherOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.now = options.now ?? Date.now;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
  }

  /**
   * Forget a failure of `uri`: the next download may start at once. For the cold-start
   * download, whose failure must not lock out the first requests once the network is back.
   */
  clearCooldown(uri: string): void {
    this.blockedUntil.delete(uri);
  }

  /** Download `uri`; rejects with {@link JwksFetchError} on any failure or during a cool-down. */
  async fetch(uri: string): Promise<ArrayBuffer> {
    if (this.options.neverDownload?.has(uri)) {
      throw new JwksFetchError("JWKS is bundled: never downloaded");
    }
    const until = this.blockedUntil.get(uri);
    if (until !== undefined && this.now() < until) {
      throw new JwksFetchError("JWKS download cooling down after a failure");
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // One deadline for everything: racing it (not only the abort signal) bounds the answer
    // even where an aborted fetch keeps reading its body.
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const error = new JwksFetchError("JWKS download failed: TimeoutError");
        controller.abort(error);
        reject(error);
      }, this.options.timeoutMs);
    });
    deadline.catch(() => undefined);
    try {
      const response = await Promise.race([
        this.fetchImpl(uri, {
          signal: controller.signal,
          redirect: "error",
          headers: { accept: "application/json" },
        }),
        deadline,
      ]);
      if (response.status !== 200) {
        response.body?.cancel().catch(() => undefined);
        throw new JwksFetchError(`JWKS download: HTTP ${response.status}`);
      }
      const declared = Number(response.headers.get("content-length"));
      if (Number.isFinite(declared) && declared > this.maxBytes) {
        response.body?.cancel().catch(() => undefined);
        throw new JwksFetchError("JWKS download too large");
      }
      const body = response.body
        ? await readCapped(response.body, this.maxBytes, deadline)
        : new Uint8Array(0);
      // A 200 that is not a JWKS (an HTML error page, `{"keys":"none"}`) is a failed download.
      if (!isJwksBody(body)) throw new JwksFetchError("JWKS download: body is not a JWKS");
      this.blockedUntil.delete(uri);
      return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
    } catch (error) {
      controller.abort();
      this.blockedUntil.set(uri, this.now() + this.options.cooldownMs);
      if (error instanceof JwksFetchError) throw error;
      throw new JwksFetchError(`JWKS download failed: ${(error as Error)?.name ?? "error"}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
