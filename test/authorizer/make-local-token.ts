/**
 * Print a JWT as cognito-local 5.3.0 issues it (RS256, kid "CognitoLocal", signed with
 * the key cognito-local ships in node_modules), for the sample events and manual tests:
 *
 *   npx tsx test/authorizer/make-local-token.ts [--issuer URL] [--client ID] [--groups a,b]
 *     [--scope "s1 s2"] [--id] [--days N]
 *
 * It is accepted only where cognito-local's tokens are: in local mode with
 * JWT_LOCAL_ISSUER_URL set to the same issuer. (Not a test: jest runs *.test.ts only.)
 */
import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const KEYS = join(__dirname, "..", "..", "node_modules", "cognito-local", "lib", "keys");

/** Options of {@link makeLocalToken}. */
export interface LocalTokenOptions {
  issuer?: string;
  clientId?: string;
  groups?: string[];
  scope?: string;
  tokenUse?: "access" | "id";
  /** Expiry as epoch seconds (default: `days` from now). */
  exp?: number;
  days?: number;
  sub?: string;
  username?: string;
}

/** A token shaped like cognito-local's, signed with its shipped private key. */
export function makeLocalToken(options: LocalTokenOptions = {}): string {
  const pem = (
    JSON.parse(readFileSync(join(KEYS, "cognitoLocal.private.json"), "utf8")) as { pem: string }
  ).pem;
  const now = Math.floor(Date.now() / 1000);
  const issuer = options.issuer ?? "http://localhost:9229/local_1Q5EIHIH";
  const clientId = options.clientId ?? "localsampleclient";
  const username = options.username ?? "jane";
  const sub = options.sub ?? "8f2e1a3c-1111-4a5b-9c9d-0123456789ab";
  const groups = options.groups ?? [];
  const common = {
    sub,
    iss: issuer,
    iat: now,
    auth_time: now,
    exp: options.exp ?? now + (options.days ?? 1) * 86400,
    jti: `sample-${now}`,
    ...(groups.length > 0 ? { "cognito:groups": groups } : {}),
  };
  const payload =
    options.tokenUse === "id"
      ? { ...common, "cognito:username": username, aud: clientId, token_use: "id" }
      : {
          ...common,
          client_id: clientId,
          scope: options.scope ?? "aws.cognito.signin.user.admin",
          token_use: "access",
          username,
        };
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
  const input = `${b64({ alg: "RS256", typ: "JWT", kid: "CognitoLocal" })}.${b64(payload)}`;
  const signature = sign("RSA-SHA256", Buffer.from(input), createPrivateKey(pem));
  return `${input}.${signature.toString("base64url")}`;
}

/** The JWKS cognito-local serves, keyed by `issuer` (the AUTHORIZER_JWKS format). */
export function localJwksMap(
  issuer = "http://localhost:9229/local_1Q5EIHIH",
): Record<string, unknown> {
  const { jwk } = JSON.parse(readFileSync(join(KEYS, "cognitoLocal.public.json"), "utf8")) as {
    jwk: unknown;
  };
  return { [issuer]: { keys: [jwk] } };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const groups = arg("groups");
  process.stdout.write(
    `${makeLocalToken({
      issuer: arg("issuer"),
      clientId: arg("client"),
      groups: groups ? groups.split(",") : undefined,
      scope: arg("scope"),
      tokenUse: args.includes("--id") ? "id" : "access",
      days: arg("days") ? Number(arg("days")) : undefined,
    })}\n`,
  );
}
