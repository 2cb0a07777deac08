/**
 * The authorizer handler: one function for REST TOKEN, REST REQUEST and HTTP API
 * (payload 2.0, simple response) events.
 *
 * Every failure -- no or malformed token, failed verification, unexpected input,
 * a bug -- ends in exactly `throw new Error("Unauthorized")` (API Gateway's 401).
 * A valid token gets the full policy for its principal (REST; when that policy does not
 * allow the current route, API Gateway answers 403) or the exact decision for the current
 * route (HTTP API simple response).
 */

import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import type {
  APIGatewayAuthorizerResult,
  APIGatewaySimpleAuthorizerWithContextResult,
} from "aws-lambda";
import type { AuthorizerPolicyConfig } from "./config";
import { parseAuthorizerEvent } from "./event";
import type { AuthorizerLogger } from "./log";
import {
  createPolicyBuilder,
  type ExecuteApiArn,
  type PolicyDecision,
  parseExecuteApiArn,
} from "./policy";
import { type AuthorizerContext, authorizerContext, principalFromClaims } from "./principal";
import type { RevocationCheck } from "./revocation";
import type { Principal } from "./routes";
import type { TokenVerifier } from "./verifier";

/** The only error an authorizer may throw: API Gateway maps exactly this message to 401. */
export const UNAUTHORIZED = "Unauthorized";

/** What the handler answers (REST policy or HTTP API simple response). */
export type AuthorizerResult =
  | APIGatewayAuthorizerResult
  | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

/** Dependencies of the handler, built once per container. */
export interface AuthorizerDeps {
  readonly config: AuthorizerPolicyConfig & { readonly maxTokenLength: number };
  readonly verifier: TokenVerifier;
  readonly logger: AuthorizerLogger;
  /** The revocation check, when revocation is on (after every verification, cached or not). */
  readonly revocation?: RevocationCheck;
}

/** What a verified payload always yields (its policy decisions memoised per request ARN). */
interface Derived {
  readonly principal: Principal;
  readonly context: AuthorizerContext;
  readonly decisions: Map<string, PolicyDecision>;
}

class Refused extends Error {
  override name = "Refused";
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Create the handler. */
export function createAuthorizerHandler({ config, verifier, logger, revocation }: AuthorizerDeps) {
  const policyFor = createPolicyBuilder(config.routes);
  // A repeated token (the verifier's cache hands back the same payload object) reuses its
  // principal, context and decisions: a hit then costs a few map lookups (docs: Speed).
  const derived = new WeakMap<JwtPayload, Derived>();
  const apis = new Map<string, ExecuteApiArn>();
  const apiFor = (arn: string): ExecuteApiArn | undefined => {
    const hit = apis.get(arn);
    if (hit !== undefined) return hit;
    const api = parseExecuteApiArn(arn);
    if (api === undefined) return undefined;
    if (apis.size >= 1000) apis.clear();
    apis.set(arn, api);
    return api;
  };
  // Powertools' level is fixed at cold start (POWERTOOLS_LOG_LEVEL): skip building debug lines.
  const debug = logger.getLevelName() === "DEBUG";
  return async (event: unknown): Promise<AuthorizerResult> => {
    let stage = "event";
    try {
      const request = parseAuthorizerEvent(event, config.maxTokenLength);
      if (request.kind === "refuse") throw new Refused(request.reason);
      const api = apiFor(request.arn);
      if (api === undefined) throw new Refused("unexpected methodArn/routeArn");

      stage = "verify";
      const payload = await verifier.verify(request.token);
      if (revocation !== undefined) {
        stage = "revocation";
        // The verifier guarantees a numeric iat; a missing sub is refused just below anyway.
        await revocation(typeof payload.sub === "string" ? payload.sub : "", payload.iat as number);
      }
      stage = "policy";
      let known = derived.get(payload);
      if (known === undefined) {
        const principal = principalFromClaims(payload, config.contextClaims);
        known = { principal, context: authorizerContext(principal), decisions: new Map() };
        derived.set(payload, known);
      }
      const { principal, context } = known;
      let decided = known.decisions.get(request.arn);
      if (decided === undefined) {
        decided = policyFor(principal, api, request.arn);
        if (known.decisions.size >= 32) known.decisions.clear();
        known.decisions.set(request.arn, decided);
      }
      const { policy, decision, policyDecision, route } = decided;
      // HTTP API: the exact decision. REST: what IAM makes of the policy (API Gateway applies it).
      const allowed = request.shape === "http" ? decision === "allow" : policyDecision === "allow";
      if (decision === "allow" && policyDecision === "deny" && request.shape !== "http") {
        // Overlapping rules IAM cannot express (a met rule and a failed one covering the same
        // request): the policy denies, so REST fails closed. Fix the rules.
        logger.warn("Authorizer: a rule allows the route but the policy denies it (403)", {
          route,
          arn: request.arn,
        });
      }
      if (!allowed) {
        logger.info("Authorizer: denied (403)", { sub: principal.sub, arn: request.arn });
      } else if (debug) {
        logger.debug("Authorizer: allowed", { sub: principal.sub, arn: request.arn, route });
      }

      if (request.shape === "http") return { isAuthorized: allowed, context };
      return { principalId: principal.sub, policyDocument: policy, context };
    } catch (error) {
      // The reason is logged (never the token: the logger redacts JWT-looking strings too).
      logger.info("Authorizer: unauthorized (401)", {
        stage,
        reason: error instanceof Refused ? error.message : errorName(error),
        detail: error instanceof Refused ? undefined : (error as Error)?.message,
      });
      throw new Error(UNAUTHORIZED);
    }
  };
}
