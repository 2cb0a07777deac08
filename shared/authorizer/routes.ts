/**
 * Route rules: `METHOD /resource/path` with what a caller needs to call it.
 *
 * Each rule compiles once, at cold start, to two things:
 * - a segment-aware matcher that decides the current request exactly (`{param}` and `*`
 *   are one non-empty segment, `{param+}` one or more);
 * - the method/path parts of execute-api ARN patterns (`GET/users/*`), which the policy
 *   builder prefixes with the region, account, API id and stage of the request. In IAM
 *   `*` also spans `/`, so these patterns are broader than the matcher (see policy.ts).
 */

/** The methods API Gateway routes; `ANY` and `*` in a rule stand for all of them. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
const METHODS = new Set<string>([...HTTP_METHODS, "*", "ANY"]);
// A literal path segment: unreserved and a few sub-delimiters; never `*` or `?` (IAM wildcards).
const LITERAL_SEGMENT = /^[A-Za-z0-9._~@:!$&'()+,;=-]+$/;
const PARAM_SEGMENT = /^\{[A-Za-z_][A-Za-z0-9_]*\+?\}$/;

/** What a caller must hold for a route. Empty lists mean "any valid token". */
export interface RouteRequirement {
  /** At least one of these OAuth scopes (from the access token's `scope`). */
  readonly scopes: readonly string[];
  /** At least one of these groups (from `cognito:groups`). */
  readonly groups: readonly string[];
}

/** One segment of a rule's path: a literal, exactly one segment, or one or more (last only). */
export type RouteSegment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "one" }
  | { readonly kind: "greedy" };

/** A validated rule, ready for matching and policy building. */
export interface CompiledRoute extends RouteRequirement {
  /** The rule as written (method upper-cased), e.g. `GET /users/{id}`. */
  readonly route: string;
  /** The methods the rule covers (all of {@link HTTP_METHODS} for `ANY` / `*`). */
  readonly methods: readonly string[];
  /** The path, segment by segment. */
  readonly segments: readonly RouteSegment[];
  /**
   * The method/path parts of the execute-api resources, one per method, e.g. `GET/users/*`.
   * Never `*` in the method position: there it would also span the path (`*` + `/public`
   * matches `DELETE/users/7/public`).
   */
  readonly resources: readonly string[];
}

/** The identity a verified token stands for. */
export interface Principal {
  readonly sub: string;
  readonly username: string;
  readonly clientId: string;
  readonly tokenUse: "access" | "id";
  readonly scopes: readonly string[];
  readonly groups: readonly string[];
  /** Configured context claims that were present, by context key. */
  readonly claims: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Compile `METHOD /path` into its matcher and execute-api resource patterns. `{param}`
 * and `*` segments become the IAM wildcard `*`; `ANY` / `*` become one resource per method.
 * Throws an Error describing the problem.
 */
export function compileRoute(route: string, requirement: RouteRequirement): CompiledRoute {
  const match = /^(\S+) (\/\S*)$/.exec(route.trim());
  if (!match) throw new Error(`must be "METHOD /path", got "${route}"`);
  const method = (match[1] ?? "").toUpperCase();
  const path = match[2] ?? "/";
  if (!METHODS.has(method)) throw new Error(`has an unknown method "${match[1]}"`);
  const raw = path === "/" ? [] : path.slice(1).split("/");
  const segments = raw.map((segment, i): RouteSegment => {
    if (segment === "*") return { kind: "one" };
    if (PARAM_SEGMENT.test(segment)) {
      if (!segment.endsWith("+}")) return { kind: "one" };
      if (i !== raw.length - 1)
        throw new Error(`has a greedy {param+} that is not the last segment`);
      return { kind: "greedy" };
    }
    if (LITERAL_SEGMENT.test(segment)) return { kind: "literal", value: segment };
    throw new Error(`has an invalid path segment "${segment}"`);
  });
  const methods: readonly string[] = method === "ANY" || method === "*" ? HTTP_METHODS : [method];
  const glob = segments.map((s) => (s.kind === "literal" ? s.value : "*")).join("/");
  return {
    route: `${method} ${path}`,
    methods,
    segments,
    resources: methods.map((m) => `${m}/${glob}`),
    scopes: [...requirement.scopes],
    groups: [...requirement.groups],
  };
}

/**
 * True when the rule names the request `method` + `path` (the part of the execute-api ARN
 * after `<METHOD>/`, e.g. `items/42`), segment by segment. An empty segment (`a//b`, a
 * trailing `/`) matches nothing but an empty literal, which no rule has.
 */
export function routeMatches(rule: CompiledRoute, method: string, path: string): boolean {
  if (!rule.methods.includes(method)) return false;
  const parts = path === "" ? [] : path.split("/");
  const { segments } = rule;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as RouteSegment;
    if (segment.kind === "greedy") {
      if (parts.length <= i) return false;
      for (let j = i; j < parts.length; j++) if (parts[j] === "") return false;
      return true;
    }
    const part = parts[i];
    if (part === undefined || part === "") return false;
    if (segment.kind === "literal" && segment.value !== part) return false;
  }
  return parts.length === segments.length;
}

function overlaps(required: readonly string[], held: readonly string[]): boolean {
  // A loop, not `some` with a closure: this runs for every rule on every fresh token.
  if (required.length === 0) return true;
  for (const item of required) if (held.includes(item)) return true;
  return false;
}

/** True when `principal` meets the rule: one of its scopes (if any) AND one of its groups (if any). */
export function meetsRequirement(rule: RouteRequirement, principal: Principal): boolean {
  return overlaps(rule.scopes, principal.scopes) && overlaps(rule.groups, principal.groups);
}
