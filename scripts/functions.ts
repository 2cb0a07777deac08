/**
 * The functions of the service, by the name serverless.yml gives them.
 * `npm run invoke`, the bench and the packaging test read this list; a test
 * checks it matches serverless.yml exactly.
 */
export const FUNCTIONS = {
  preSignUp: "functions/pre-signup.handler",
  postConfirmation: "functions/post-confirmation.handler",
  postAuthentication: "functions/post-authentication.handler",
  preTokenGeneration: "functions/pre-token-generation.handler",
  defineAuthChallenge: "functions/define-auth-challenge.handler",
  createAuthChallenge: "functions/create-auth-challenge.handler",
  verifyAuthChallenge: "functions/verify-auth-challenge.handler",
  customMessage: "functions/custom-message.handler",
  customEmailSender: "functions/custom-email-sender.handler",
  authorizer: "functions/authorizer.handler",
  hello: "functions/hello.handler",
} as const;

/** A function name from serverless.yml. */
export type FunctionName = keyof typeof FUNCTIONS;

/** True when `name` is one of the service's functions. */
export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

/** Split `functions/x.handler` into the module path and the export name. */
export function splitHandler(handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf(".");
  return { file: `${handler.slice(0, dot)}.ts`, exportName: handler.slice(dot + 1) };
}
