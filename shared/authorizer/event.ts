/**
 * The three event shapes the authorizer answers, narrowed from untrusted input:
 * REST TOKEN, REST REQUEST, and HTTP API payload 2.0 (simple response).
 */
import { isRecord } from "../guards";

/** The request to authorize, or the reason it is refused (401). */
export type AuthorizationRequest =
  | {
      readonly kind: "ok";
      /** `token` (REST TOKEN), `request` (REST REQUEST) or `http` (HTTP API 2.0). */
      readonly shape: "token" | "request" | "http";
      /** The JWT, not yet verified. */
      readonly token: string;
      /** `methodArn` (REST) or `routeArn` (HTTP API). */
      readonly arn: string;
    }
  | { readonly kind: "refuse"; readonly reason: string };

/**
 * Three non-empty dot-separated segments: the signature may not be empty, so an unsigned
 * (alg "none") token is refused here already. The characters (base64url only) are checked
 * by aws-jwt-verify's own JWT regex, the first thing its verification does; repeating that
 * regex here cost ~0.6 us per request (3% of the RS256 verify the request is measured
 * against) for no extra refusal.
 */
function hasJwtShape(token: string): boolean {
  const first = token.indexOf(".");
  if (first <= 0) return false;
  const second = token.indexOf(".", first + 1);
  if (second <= first + 1 || second === token.length - 1) return false;
  return token.indexOf(".", second + 1) === -1;
}

/** All values of the header `name` (case-insensitive) in `headers` and `multiValueHeaders`. */
function headerValues(event: Record<string, unknown>, name: string): unknown[] {
  const values: unknown[] = [];
  for (const source of [event.headers, event.multiValueHeaders]) {
    if (!isRecord(source)) continue;
    for (const [key, value] of Object.entries(source)) {
      if (key.toLowerCase() !== name) continue;
      if (Array.isArray(value)) values.push(...value);
      else values.push(value);
    }
  }
  return values;
}

function refuse(reason: string): AuthorizationRequest {
  return { kind: "refuse", reason };
}

/**
 * The credentials after `Bearer` (scheme in any case, then one or more spaces), or undefined.
 * A prefix check rather than a regex: the regex scanned the whole ~1 KB token on every
 * request (~0.45 us, 2% of the RS256 verify the whole request is measured against).
 */
function bearerCredentials(value: string): string | undefined {
  if (value.length < 8) return undefined;
  // The usual spelling compared in place; any other case through a lowercased copy.
  if (!value.startsWith("Bearer") && value.slice(0, 6).toLowerCase() !== "bearer") return undefined;
  let start = 6;
  while (value.charCodeAt(start) === 32) start++;
  // No space after the scheme ("Bearerx..."), or nothing after the spaces.
  return start === 6 || start === value.length ? undefined : value.slice(start);
}

function tokenFrom(value: unknown, allowRaw: boolean, maxLength: number): string | string[] {
  if (typeof value !== "string") return ["no token"];
  if (value.length > maxLength + 7) return ["token too long"];
  const trimmed = value.trim();
  const token = bearerCredentials(trimmed) ?? (allowRaw ? trimmed : undefined);
  if (token === undefined) return ["not a Bearer authorization"];
  if (token.length > maxLength) return ["token too long"];
  if (!hasJwtShape(token)) return ["not a JWT"];
  return token;
}

function fromHeaders(
  event: Record<string, unknown>,
  shape: "request" | "http",
  arn: string,
  maxLength: number,
): AuthorizationRequest {
  // Several Authorization headers (or differing values) are ambiguous: refuse.
  const values = [...new Set(headerValues(event, "authorization"))];
  if (values.length === 0) return refuse("no Authorization header");
  if (values.length > 1) return refuse("several Authorization headers");
  const token = tokenFrom(values[0], false, maxLength);
  return typeof token === "string" ? { kind: "ok", shape, token, arn } : refuse(token[0] ?? "");
}

/**
 * Narrow an untrusted event. REST TOKEN: `authorizationToken` is `Bearer <jwt>` or the bare
 * JWT. REST REQUEST and HTTP API: the `Authorization` header (any case) must be
 * `Bearer <jwt>` (scheme in any case). Anything else is refused.
 */
export function parseAuthorizerEvent(event: unknown, maxTokenLength: number): AuthorizationRequest {
  if (!isRecord(event)) return refuse("event is not an object");
  if (event.version === "2.0" && event.type === "REQUEST" && typeof event.routeArn === "string") {
    return fromHeaders(event, "http", event.routeArn, maxTokenLength);
  }
  if (typeof event.methodArn !== "string") return refuse("no methodArn");
  if (event.type === "TOKEN") {
    const token = tokenFrom(event.authorizationToken, true, maxTokenLength);
    return typeof token === "string"
      ? { kind: "ok", shape: "token", token, arn: event.methodArn }
      : refuse(token[0] ?? "");
  }
  if (event.type === "REQUEST")
    return fromHeaders(event, "request", event.methodArn, maxTokenLength);
  return refuse("unknown event type");
}
