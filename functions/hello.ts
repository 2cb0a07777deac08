/**
 * Sample protected endpoint: answers with who the authorizer says the caller is.
 * It trusts only `requestContext.authorizer` (set by our authorizer), never the token.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";

/** Echo the principal and context the authorizer attached to the request. */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const authorizer = event.requestContext?.authorizer ?? {};
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      message: "Hello from a protected endpoint",
      principalId: authorizer.principalId ?? null,
      sub: authorizer.sub ?? null,
      username: authorizer.username ?? null,
      scopes: authorizer.scopes ?? null,
      groups: authorizer.groups ?? null,
    }),
  };
};
