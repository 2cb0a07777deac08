// Revocation (the `revocation` parameter, docs/authorizer.md#revocation) as plain values, for
// function environments: `${file(./resources/revocation.js):authorizerTableName}` is the table
// the authorizer reads when the parameter is "true", else "" (its check off). A plain string,
// not a CloudFormation condition, so serverless-offline and `npm run invoke` see it too.
// Plain CommonJS: the framework loads it as a variable source.

/** `{ enabled, authorizerTableName }` from the two parameters' values. */
function compute(revocation, tableName) {
  const enabled = String(revocation ?? "").trim() === "true";
  return { enabled: enabled ? "true" : "false", authorizerTableName: enabled ? tableName : "" };
}

/** Variable source: `enabled` ("true" | "false") and `authorizerTableName`. */
function resolveRevocation({ resolveVariable }) {
  const on = resolveVariable("param:revocation");
  // The table name is only looked up when it is used.
  const table = () => resolveVariable("param:revocationTableName");
  if (on instanceof Promise) {
    return on.then(async (value) =>
      compute(value, String(value).trim() === "true" ? await table() : ""),
    );
  }
  return compute(on, String(on).trim() === "true" ? table() : "");
}

resolveRevocation.compute = compute;
module.exports = resolveRevocation;
