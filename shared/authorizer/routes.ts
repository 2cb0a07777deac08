/**
 * Route rules: `METHOD /resource/path` with what a caller needs to call it.
 *
 * Each rule compiles, once at cold start, to the method/path part of an
 * execute-api ARN pattern (`GET/users/*`), which the policy builder prefixes
 * with the region, account, API id and stage of the request being authorized.
 */

/** HTTP methods a rule may name; `*` and `ANY` mean every method. */
const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*", "ANY"]);
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

/** A validated rule, ready for policy building. */
export interface CompiledRoute extends RouteRequirement {
  /** The rule as written, e.g. `GET /users/{id}`. */
  readonly route: string;
  /** The method/path part of the execute-api resource, e.g. `GET/users/*`. */
  readonly resource: string;
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
 * Compile `METHOD /path` into its execute-api resource pattern. `{param}` and `*`
 * segments become the IAM wildcard `*` (note: in IAM `*` also spans `/`, which is
 * why the policy also lists the rules a caller fails as explicit Deny statements).
 * Throws an Error describing the problem.
 */
export function compileRoute(route: string, requirement: RouteRequirement): CompiledRoute {
  const match = /^(\S+) (\/\S*)$/.exec(route.trim());
  if (!match) throw new Error(`must be "METHOD /path", got "${route}"`);
  const method = (match[1] ?? "").toUpperCase();
  const path = match[2] ?? "/";
  if (!METHODS.has(method)) throw new Error(`has an unknown method "${match[1]}"`);
  const segments = path === "/" ? [] : path.slice(1).split("/");
  const parts = segments.map((segment, i) => {
    if (segment === "*") return "*";
    if (PARAM_SEGMENT.test(segment)) {
      if (segment.endsWith("+}") && i !== segments.length - 1) {
        throw new Error(`has a greedy {param+} that is not the last segment`);
      }
      return "*";
    }
    if (LITERAL_SEGMENT.test(segment)) return segment;
    throw new Error(`has an invalid path segment "${segment}"`);
  });
  const verb = method === "ANY" ? "*" : method;
  return {
    route: `${method} ${path}`,
    resource: `${verb}/${parts.join("/")}`,
    scopes: [...requirement.scopes],
    groups: [...requirement.groups],
  };
}

function overlaps(required: readonly string[], held: readonly string[]): boolean {
  return required.length === 0 || required.some((item) => held.includes(item));
}

/** True when `principal` meets the rule: one of its scopes (if any) AND one of its groups (if any). */
export function meetsRequirement(rule: RouteRequirement, principal: Principal): boolean {
  return overlaps(rule.scopes, principal.scopes) && overlaps(rule.groups, principal.groups);
}
