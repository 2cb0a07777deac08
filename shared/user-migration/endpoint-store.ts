/**
 * Legacy users behind the old system's HTTPS endpoint: one POST per call, bounded by the
 * endpoint timeout and the invocation deadline. The protocol is in docs/user-migration.md.
 */
import type { Deadline } from "../aws/clients";
import type { LegacyEndpointConfig } from "./config";
import { legacyFlagIsTrue } from "./mapping";
import { LegacyStoreUnavailableError, type LegacyUser, type LegacyUserStore } from "./store";

/** Largest response body read from the endpoint (bytes). */
export const MAX_RESPONSE_BYTES = 64 * 1024;

type Fetch = typeof fetch;

/** The old system's endpoint as a {@link LegacyUserStore}. `fetcher` defaults to the global fetch. */
export function endpointLegacyStore(
  endpoint: LegacyEndpointConfig,
  emailVerifiedField: string,
  fetcher: Fetch = fetch,
): LegacyUserStore {
  async function call(
    body: Record<string, string>,
    deadline: Deadline,
  ): Promise<LegacyUser | undefined> {
    const operation = `POST ${endpoint.url.origin} (${body.action})`;
    // Throws a DeadlineExceededError when too little time is left to start.
    const { abortSignal } = deadline.callOptions(operation);
    const timeout = Math.min(endpoint.timeoutMs, deadline.remainingMs());
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
    };
    if (endpoint.token !== undefined) headers.authorization = `Bearer ${endpoint.token}`;
    let response: Response;
    let text: string;
    try {
      response = await fetcher(endpoint.url, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        redirect: "error",
        signal: AbortSignal.any([abortSignal, AbortSignal.timeout(timeout)]),
      });
      text = await response.text();
    } catch (error) {
      // Never the request: it holds the password.
      const reason = deadline.expired
        ? "stopped at the invocation deadline"
        : `failed (${(error as Error)?.name ?? "error"})`;
      throw new LegacyStoreUnavailableError(`${operation} ${reason}`);
    }
    if (response.status === 401 || response.status === 403 || response.status === 404)
      return undefined;
    if (response.status !== 200) {
      throw new LegacyStoreUnavailableError(`${operation} answered HTTP ${response.status}`);
    }
    if (Buffer.byteLength(text) > MAX_RESPONSE_BYTES) {
      throw new LegacyStoreUnavailableError(
        `${operation} answered more than ${MAX_RESPONSE_BYTES} bytes`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new LegacyStoreUnavailableError(`${operation} answered invalid JSON`);
    }
    const user = (parsed as { user?: unknown } | null)?.user;
    if (typeof user !== "object" || user === null || Array.isArray(user)) {
      throw new LegacyStoreUnavailableError(`${operation} answered without a user object`);
    }
    const fields = Object.assign(Object.create(null), user) as Record<string, unknown>;
    return { fields, emailVerified: legacyFlagIsTrue(fields[emailVerifiedField]) };
  }

  return {
    async authenticate(userName, password, deadline) {
      const user = await call({ action: "authenticate", username: userName, password }, deadline);
      return user === undefined ? { kind: "refused" } : { kind: "authenticated", user };
    },
    async find(userName, deadline) {
      return call({ action: "lookup", username: userName }, deadline);
    },
  };
}
