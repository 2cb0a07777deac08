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
  /** The first request ARN's decision; most tokens call one route per container. */
  firstArn: string;
  first: PolicyDecision;
  /** The others' (allocated only when a token calls a second route). */
  decisions: Map<string, PolicyDecision> | undefined;
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
  // principal, context and decisions: a hit then costs a few lookups (docs: Speed). They hang
  // off the payload under a symbol of this handler (not in a WeakMap: a fresh token per
  // request made its ephemeron entries a measurable part of the garbage collector's work).
  const DERIVED: unique symbol = Symbol("derived");
  type Holder = JwtPayload & { [DERIVED]?: Derived };
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
  /** The answer for a verified payload (its revocation already checked). */
  const answer = (
    request: { readonly shape: "token" | "request" | "http"; readonly arn: string },
    api: ExecuteApiArn,
    payload: JwtPayload,
  ): AuthorizerResult => {
    let known = (payload as Holder)[DERIVED];
    let decided: PolicyDecision | undefined;
    if (known === undefined) {
      const principal = principalFromClaims(payload, config.contextClaims);
      decided = policyFor(principal, api, request.arn);
      known = {
        principal,
        context: authorizerContext(principal),
        firstArn: request.arn,
        first: decided,
        decisions: undefined,
      };
      (payload as Holder)[DERIVED] = known;
    } else if (known.firstArn === request.arn) {
      decided = known.first;
    } else {
      known.decisions ??= new Map();
      decided = known.decisions.get(request.arn);
      if (decided === undefined) {
        decided = policyFor(known.principal, api, request.arn);
        if (known.decisions.size >= 32) known.decisions.clear();
        known.decisions.set(request.arn, decided);
      }
    }
    const { principal, context } = known;
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
  };

  /** Every failure: logged with its stage and reason (never the token), then exactly 401. */
  const unauthorized = (stage: string, error: unknown): Error => {
    logger.info("Authorizer: unauthorized (401)", {
      stage,
      reason: error instanceof Refused ? error.message : errorName(error),
      detail: error instanceof Refused ? undefined : (error as Error)?.message,
    });
    return new Error(UNAUTHORIZED);
  };

  /** The path that waits: a JWKS download, a revocation read. */
  const later = async (
    request: { readonly shape: "token" | "request" | "http"; readonly arn: string },
    api: ExecuteApiArn,
    verified: JwtPayload | Promise<JwtPayload>,
  ): Promise<AuthorizerResult> => {
    let stage = "verify";
    try {
      const payload = await verified;
      if (revocation !== undefined) {
        stage = "revocation";
        // The verifier guarantees a numeric iat; a missing sub is refused just below anyway.
        await revocation(typeof payload.sub === "string" ? payload.sub : "", payload.iat as number);
      }
      stage = "policy";
      return answer(request, api, payload);
    } catch (error) {
      throw unauthorized(stage, error);
    }
  };

  // Not an async function: the warm path (payload known at once, no revocation) answers
  // without a suspension; every failure still ends in a rejected promise of exactly 401.
  return (event: unknown): Promise<AuthorizerResult> => {
    let stage = "event";
    try {
      const request = parseAuthorizerEvent(event, config.maxTokenLength);
      if (request.kind === "refuse") throw new Refused(request.reason);
      const api = apiFor(request.arn);
      if (api === undefined) throw new Refused("unexpected methodArn/routeArn");
      stage = "verify";
      const verified = verifier.verifyNow(request.token);
      if (verified instanceof Promise || revocation !== undefined) {
        return later(request, api, verified);
      }
      stage = "policy";
      return Promise.resolve(answer(request, api, verified));
    } catch (error) {
      return Promise.reject(unauthorized(stage, error));
    }
  };
}
