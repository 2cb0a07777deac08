// Calls a deployment bundle's handler on one sample event file with the context the Lambda
// runtime gives (5 s left at the start), for the cold-start bench and the Node 24 check.
// Plain CommonJS on purpose: it runs on any Node without a TypeScript loader.
const { readFileSync } = require("node:fs");

/**
 * The outcome of `handler` on the event in file `event`: `{ event, ok: true, result }` or
 * `{ event, ok: false, errorType, errorMessage }`. `name` is the function's serverless.yml name;
 * `requestId` and `logStream` tag the context.
 */
async function invokeOnEvent(handler, name, event, { requestId, logStream }) {
  const deadline = Date.now() + 5000;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `cognito-triggers-dev-${name}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:cognito-triggers-dev-${name}`,
    memoryLimitInMB: "256",
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/cognito-triggers-dev-${name}`,
    logStreamName: logStream,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(JSON.parse(readFileSync(event, "utf8")), context);
    return { event, ok: true, result: result ?? null };
  } catch (error) {
    return { event, ok: false, errorType: error?.name, errorMessage: error?.message };
  }
}

module.exports = { invokeOnEvent };
