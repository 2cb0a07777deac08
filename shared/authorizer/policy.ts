/**
 * The decision for the current request, the IAM policy returned to API Gateway, and our
 * own evaluation of that policy.
 *
 * The current request is decided exactly: the rules that name its method and path
 * segment by segment (`routeMatches`), allowed when any of them is met.
 *
 * API Gateway caches a REST policy by token (TTL `resultTtlInSeconds`) and applies it to
 * every route that token calls, so the policy lists every route the principal may call:
 * it Allows the resources of every met rule. IAM's `*` also spans `/`, so an Allow of
 * `GET/items/*` covers `GET/items/1/audit`; a failed rule's resource is therefore denied
 * explicitly when an allowed pattern covers it (never otherwise: a failed broad rule must
 * not deny a met deeper one). Finally the request ARN itself is denied when the exact
 * decision is deny and nothing in the policy denies it yet.
 */
import type { CompiledRoute, Principal } from "./routes";
import { meetsRequirement, routeMatches } from "./routes";

/** The parts of an `arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`. */
export interface ExecuteApiArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly apiId: string;
  readonly stage: string;
  /** `arn:...:<api>/<stage>/`, the prefix every resource of the policy shares. */
  readonly base: string;
  /** The request's method, e.g. `GET`. */
  readonly method: string;
  /** The request's path after `<METHOD>/`, without a leading `/`, e.g. `items/42` (`""` for the root). */
  readonly path: string;
}

/** One statement of the policy document. */
export interface PolicyStatement {
  readonly Action: "execute-api:Invoke";
  readonly Effect: "Allow" | "Deny";
  readonly Resource: string[];
}

/** The policy document returned by a REST API authorizer. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: PolicyStatement[];
}

// The parts that prefix every policy resource may not hold IAM wildcards (`*`, `?`), or a
// policy built for one API could allow another. Account and API id are not held to AWS's
// formats (12 digits, 10 characters): serverless-offline sends "random-account-id".
const ARN =
  /^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):([A-Za-z0-9-]+):([A-Za-z0-9-]+)\/([^/*?\s]+)\/([A-Z]+)\/(\S*)$/;

/** Parse a `methodArn` (REST) or `routeArn` (HTTP API); undefined when it is not one. */
export function parseExecuteApiArn(arn: unknown): ExecuteApiArn | undefined {
  if (typeof arn !== "string" || arn.length > 2048) return undefined;
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const [
    ,
    partition = "",
    region = "",
    account = "",
    apiId = "",
    stage = "",
    method = "",
    path = "",
  ] = m;
  const base = `arn:${partition}:execute-api:${region}:${account}:${apiId}/${stage}/`;
  return { partition, region, account, apiId, stage, base, method, path };
}

/** The exact decision for one request, and the rule that allowed it. */
export interface RouteDecision {
  readonly decision: "allow" | "deny";
  /** The first met rule naming the request (set only when allowed). */
  readonly route: string | undefined;
}

/**
 * Decide the request exactly: allowed when a rule naming its method and path (segment by
 * segment) is met; `met[i]` tells whether the principal meets `routes[i]`. A request no
 * rule names is denied.
 */
export function decideRequest(
  routes: readonly CompiledRoute[],
  met: readonly boolean[],
  api: Pick<ExecuteApiArn, "method" | "path">,
): RouteDecision {
  for (let i = 0; i < routes.length; i++) {
    const rule = routes[i] as CompiledRoute;
    if (met[i] && routeMatches(rule, api.method, api.path)) {
      return { decision: "allow", route: rule.route };
    }
  }
  return { decision: "deny", route: undefined };
}

/** The method/path parts of the policy's resources, which depend only on the rules met. */
interface PolicyParts {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

function policyParts(routes: readonly CompiledRoute[], met: readonly boolean[]): PolicyParts {
  const allowed = new Set<string>();
  routes.forEach((rule, i) => {
    if (met[i]) for (const r of rule.resources) allowed.add(r);
  });
  const allow = [...allowed];
  const deny = new Set<string>();
  routes.forEach((rule, i) => {
    if (met[i]) return;
    for (const r of rule.resources) {
      // Same resource as a met rule: the route is allowed (rules for one route are OR'd).
      // Otherwise deny it when an allowed pattern overlaps it under IAM matching, unless
      // it covers that pattern itself: a failed broad rule (`POST/items/*`) must not deny
      // a met deeper one (`POST/items/*/refund`), which stays allowed while the rest of the
      // broad rule falls to the implicit deny. Overlaps where neither pattern contains the
      // other (`GET/a/*` met, `GET/*/b/c` failed) are denied: fail closed.
      if (allowed.has(r)) continue;
      if (allow.some((a) => patternsIntersect(a, r) && !resourceMatches(r, a))) deny.add(r);
    }
  });
  return { allow, deny: [...deny] };
}

function assemble(
  parts: PolicyParts,
  api: ExecuteApiArn,
  requestArn: string,
  exact: "allow" | "deny",
): PolicyDocument {
  const allow = parts.allow.map((r) => api.base + r);
  const deny = parts.deny.map((r) => api.base + r);
  // A request the rules deny gets an explicit Deny, whatever the patterns above say (an
  // Allow of `POST/items/*` covers `POST/items/42/refund`, which no rule names). The entry
  // can only deny, so the cached policy stays right for every other route.
  if (exact === "deny" && !deny.some((r) => resourceMatches(r, requestArn))) deny.push(requestArn);
  const statements: PolicyStatement[] = [];
  if (allow.length > 0) statements.push(statement("Allow", allow));
  if (deny.length > 0) statements.push(statement("Deny", deny));
  return { Version: "2012-10-17", Statement: statements };
}

function metRules(routes: readonly CompiledRoute[], principal: Principal): boolean[] {
  return routes.map((rule) => meetsRequirement(rule, principal));
}

/**
 * Build the policy for `principal` under `api` for the request `requestArn` (see the
 * module comment): Allow every met rule's resources, Deny failed rules' resources that an
 * allowed pattern covers, and Deny `requestArn` when the rules deny it and nothing else does.
 */
export function buildPolicy(
  principal: Principal,
  routes: readonly CompiledRoute[],
  api: ExecuteApiArn,
  requestArn: string,
): PolicyDocument {
  const met = metRules(routes, principal);
  const exact = decideRequest(routes, met, api).decision;
  return assemble(policyParts(routes, met), api, requestArn, exact);
}

function statement(effect: "Allow" | "Deny", resources: string[]): PolicyStatement {
  return { Action: "execute-api:Invoke", Effect: effect, Resource: resources };
}

const STAR = 42; // "*"
const QUESTION = 63; // "?"

/**
 * IAM resource matching: `*` is any run of characters (including `/`), `?` is one
 * character, everything else is literal. The two-pointer wildcard match (on a mismatch,
 * back up to the last `*` and let it take one more character): O(pattern x text) at
 * worst, never exponential, whatever `*`s a request ARN brings.
 */
export function resourceMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = p < pattern.length ? pattern.charCodeAt(p) : -1;
    if (c === STAR) {
      star = p++;
      resume = t;
    } else if (c !== -1 && (c === QUESTION || c === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}

/**
 * Whether some text matches both IAM patterns (`*` any run, `?` one character). Dynamic
 * programming over both patterns, O(a x b); used at policy-building time on the rules'
 * own patterns, never on request input.
 */
export function patternsIntersect(a: string, b: string): boolean {
  // Quick refusal first: the characters before the first wildcard of either pattern (and those
  // after the last one) are literal on both sides, so a mismatch there rules out any common
  // text. Most pairs of rules differ in the method, the first characters.
  for (let i = 0; i < a.length && i < b.length; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === STAR || cb === STAR || ca === QUESTION || cb === QUESTION) break;
    if (ca !== cb) return false;
  }
  for (let i = a.length - 1, j = b.length - 1; i >= 0 && j >= 0; i--, j--) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (ca === STAR || cb === STAR || ca === QUESTION || cb === QUESTION) break;
    if (ca !== cb) return false;
  }
  // reach[i * width + j]: the prefixes a[0..i) and b[0..j) can produce a common text.
  const width = b.length + 1;
  const reach = new Uint8Array((a.length + 1) * width);
  reach[0] = 1;
  for (let i = 0; i <= a.length; i++) {
    const row = i * width;
    const next = row + width;
    const inA = i < a.length;
    for (let j = 0; j <= b.length; j++) {
      if (reach[row + j] === 0) continue;
      const ca = a.charCodeAt(i); // NaN past the end
      const cb = b.charCodeAt(j);
      const inB = j < b.length;
      // A `*` may stop here (move past it) or take one more character from the other side.
      if (ca === STAR) {
        if (inA) reach[next + j] = 1;
        if (inB && cb !== STAR) reach[row + j + 1] = 1;
      }
      if (cb === STAR) {
        if (inB) reach[row + j + 1] = 1;
        if (inA && ca !== STAR) reach[next + j] = 1;
      }
      const literal = inA && inB && ca !== STAR && cb !== STAR;
      if (literal && (ca === cb || ca === QUESTION || cb === QUESTION)) reach[next + j + 1] = 1;
    }
  }
  return reach[a.length * width + b.length] === 1;
}

/** How IAM evaluates `policy` for `arn`: an explicit Deny wins, then an Allow, else implicit deny. */
export function evaluatePolicy(policy: PolicyDocument, arn: string): "allow" | "deny" {
  let allowed = false;
  for (const s of policy.Statement) {
    if (!s.Resource.some((r) => resourceMatches(r, arn))) continue;
    if (s.Effect === "Deny") return "deny";
    allowed = true;
  }
  return allowed ? "allow" : "deny";
}

/** The policy, the exact decision for the request, and how IAM decides it under the policy. */
export interface PolicyDecision {
  readonly policy: PolicyDocument;
  /** The exact decision (segment-aware rules): HTTP API's `isAuthorized`. */
  readonly decision: "allow" | "deny";
  /** How IAM decides the request under `policy`: what API Gateway does for a REST API. */
  readonly policyDecision: "allow" | "deny";
  /** The rule that allowed the request (exact decision allow). */
  readonly route: string | undefined;
}

/**
 * {@link buildPolicy} + {@link decideRequest} + {@link evaluatePolicy}, memoised per
 * container: everything depends only on which rules the principal meets and on the request
 * ARN (whose method and path decide the exact match), so warm requests skip the matching
 * and string building. Bounded (emptied when full). Returned policies are frozen
 * and shared.
 */
export function createPolicyBuilder(routes: readonly CompiledRoute[], maxEntries = 1000) {
  // Per request ARN, the decisions by the set of rules met: a bit mask (a number) while there
  // are at most 30 rules, a string of 0/1 beyond. Two lookups and no string built per request.
  const memo = new Map<string, Map<number | string, PolicyDecision>>();
  let entries = 0;
  const partsByMet = new Map<number | string, PolicyParts>();
  const small = routes.length <= 30;
  const keyOf = (principal: Principal): number | string => {
    if (small) {
      let mask = 0;
      for (let i = 0; i < routes.length; i++) {
        if (meetsRequirement(routes[i] as CompiledRoute, principal)) mask |= 1 << i;
      }
      return mask;
    }
    let bits = "";
    for (const rule of routes) bits += meetsRequirement(rule, principal) ? "1" : "0";
    return bits;
  };
  return (principal: Principal, api: ExecuteApiArn, requestArn: string): PolicyDecision => {
    const key = keyOf(principal);
    let byMet = memo.get(requestArn);
    const hit = byMet?.get(key);
    if (hit) return hit;
    const met = metRules(routes, principal);
    let parts = partsByMet.get(key);
    if (parts === undefined) {
      parts = policyParts(routes, met);
      if (partsByMet.size >= maxEntries) partsByMet.clear();
      partsByMet.set(key, parts);
    }
    const exact = decideRequest(routes, met, api);
    const policy = assemble(parts, api, requestArn, exact.decision);
    for (const s of policy.Statement) Object.freeze(s.Resource);
    const result: PolicyDecision = Object.freeze({
      policy: Object.freeze(policy),
      decision: exact.decision,
      policyDecision: evaluatePolicy(policy, requestArn),
      route: exact.route,
    });
    // Bounded: past maxEntries decisions, start over (the next requests rebuild what they use).
    if (entries >= maxEntries) {
      memo.clear();
      entries = 0;
      byMet = undefined;
    }
    if (byMet === undefined) {
      byMet = new Map();
      memo.set(requestArn, byMet);
    }
    byMet.set(key, result);
    entries++;
    return result;
  };
}
