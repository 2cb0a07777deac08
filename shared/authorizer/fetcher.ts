/**
 * The JWKS downloader: global `fetch` with a hard timeout and a cool-down.
 *
 * aws-jwt-verify's SimpleJwksCache only downloads on an unknown `kid`, and its
 * SimplePenaltyBox blocks further downloads for a while after a download that did
 * not contain the kid. It registers nothing when the download itself fails
 * (timeout, DNS, 5xx), so without the cool-down below every request with an
 * unknown kid would start a new download while the network is down.
 * `fetch` (not the library's https-only fetcher) so the local issuer may be `http:`.
 */
import type { Fetcher } from "aws-jwt-verify/https";

/** Thrown for any failed download; the handler turns it into 401. */
export class JwksFetchError extends Error {
  override name = "JwksFetchError";
}

/** Options of {@link BoundedFetcher}. */
export interface BoundedFetcherOptions {
  /** Abort a download after this many ms (connection + body). */
  readonly timeoutMs: number;
  /** After a failed download, refuse new ones to the same URI for this many ms. */
  readonly cooldownMs: number;
  /** Responses larger than this are refused (a JWKS is a few KB). */
  readonly maxBytes?: number;
  /** Seam for tests. */
  readonly fetchImpl?: typeof fetch;
  /** Seam for tests. */
  readonly now?: () => number;
}

/** A {@link Fetcher} with a bounded time per download and a cool-down after failures. */
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
    const until = this.blockedUntil.get(uri);
    if (until !== undefined && this.now() < until) {
      throw new JwksFetchError("JWKS download cooling down after a failure");
    }
    try {
      const response = await this.fetchImpl(uri, {
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: "error",
        headers: { accept: "application/json" },
      });
      if (response.status !== 200)
        throw new JwksFetchError(`JWKS download: HTTP ${response.status}`);
      const body = await response.arrayBuffer();
      if (body.byteLength > this.maxBytes) throw new JwksFetchError("JWKS download too large");
      this.blockedUntil.delete(uri);
      return body;
    } catch (error) {
      this.blockedUntil.set(uri, this.now() + this.options.cooldownMs);
      if (error instanceof JwksFetchError) throw error;
      throw new JwksFetchError(`JWKS download failed: ${(error as Error)?.name ?? "error"}`, {
        cause: error,
      });
    }
  }
}
