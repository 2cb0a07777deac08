/**
 * The IAM policy returned to API Gateway, and our own evaluation of it.
 *
 * API Gateway caches the policy by token (TTL `resultTtlInSeconds`), then applies it
 * to every route that token calls. So the policy must not depend on the current
 * request: it Allows every route the principal meets the rule of, and explicitly
 * Denies the routes whose rule it fails. Routes without a rule are denied implicitly.
 */
import type { CompiledRoute, Principal } from "./routes";
import { meetsRequirement } from "./routes";

/** The parts of an `arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`. */
export interface ExecuteApiArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly apiId: string;
  readonly stage: string;
  /** `arn:...:<api>/<stage>/`, the prefix every resource of the policy shares. */
  readonly base: string;
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
  /^arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):([A-Za-z0-9-]+):([A-Za-z0-9-]+)\/([^/*?\s]+)\/[A-Z]+\/\S*$/;

/** Parse a `methodArn` (REST) or `routeArn` (HTTP API); undefined when it is not one. */
export function parseExecuteApiArn(arn: unknown): ExecuteApiArn | undefined {
  if (typeof arn !== "string" || arn.length > 2048) return undefined;
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const [, partition = "", region = "", account = "", apiId = "", stage = ""] = m;
  const base = `arn:${partition}:execute-api:${region}:${account}:${apiId}/${stage}/`;
  return { partition, region, account, apiId, stage, base };
}

/**
 * Build the policy for `principal` under `api`: Allow the resources of every rule it meets,
 * Deny those of every rule it fails (unless another rule for the same resource allows it).
 * `requestArn` is added to the Deny list only when nothing else decides it, so the
 * current request gets an explicit Deny (403) without making the policy route-specific
 * in any way that could allow something.
 */
export function buildPolicy(
  principal: Principal,
  routes: readonly CompiledRoute[],
  api: ExecuteApiArn,
  requestArn: string,
): PolicyDocument {
  const allowed = new Set<string>();
  const failed = new Set<string>();
  for (const rule of routes) {
    (meetsRequirement(rule, principal) ? allowed : failed).add(rule.resource);
  }
  const allow = [...allowed].map((r) => api.base + r);
  const deny = [...failed].filter((r) => !allowed.has(r)).map((r) => api.base + r);
  const decided = [...allow, ...deny].some((r) => resourceMatches(r, requestArn));
  if (!decided) deny.push(requestArn);
  const statements: PolicyStatement[] = [];
  if (allow.length > 0) statements.push(statement("Allow", allow));
  if (deny.length > 0) statements.push(statement("Deny", deny));
  return { Version: "2012-10-17", Statement: statements };
}

function statement(effect: "Allow" | "Deny", resources: string[]): PolicyStatement {
  return { Action: "execute-api:Invoke", Effect: effect, Resource: resources };
}

const patternCache = new Map<string, RegExp>();

/** IAM resource matching: `*` is any run of characters (including `/`), `?` is one character. */
export function resourceMatches(pattern: string, arn: string): boolean {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, "s");
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re.test(arn);
}

/** How IAM evaluates `policy` for `arn`: an explicit Deny wins, then an Allow, else implicit deny. */
export function evaluatePolicy(policy: PolicyDocument, arn: string): "allow" | "deny" {
  const matching = policy.Statement.filter((s) => s.Resource.some((r) => resourceMatches(r, arn)));
  if (matching.some((s) => s.Effect === "Deny")) return "deny";
  return matching.some((s) => s.Effect === "Allow") ? "allow" : "deny";
}

/** A policy and how IAM decides the request it was built for. */
export interface PolicyDecision {
  readonly policy: PolicyDocument;
  readonly decision: "allow" | "deny";
}

/**
 * {@link buildPolicy} + {@link evaluatePolicy}, memoised per container: the result depends
 * only on which rules the principal meets and on the request ARN, so warm requests skip
 * the string building and wildcard matching. Bounded (oldest entry evicted first).
 * Returned policies are frozen and shared.
 */
export function createPolicyBuilder(routes: readonly CompiledRoute[], maxEntries = 1000) {
  const memo = new Map<string, PolicyDecision>();
  return (principal: Principal, api: ExecuteApiArn, requestArn: string): PolicyDecision => {
    let key = "";
    for (const rule of routes) key += meetsRequirement(rule, principal) ? "1" : "0";
    key += requestArn;
    const hit = memo.get(key);
    if (hit) return hit;
    const policy = buildPolicy(principal, routes, api, requestArn);
    for (const s of policy.Statement) Object.freeze(s.Resource);
    const result: PolicyDecision = Object.freeze({
      policy: Object.freeze(policy),
      decision: evaluatePolicy(policy, requestArn),
    });
    if (memo.size >= maxEntries) memo.delete(memo.keys().next().value as string);
    memo.set(key, result);
    return result;
  };
}
