// Revocation (the `revocation` parameter, docs/authorizer.md#revocation) as plain values, for
// function environments: `${file(./resources/revocation.js):authorizerTableName}` is the table
// the authorizer reads when the parameter is "true", else "" (its check off). A plain string,
// not a CloudFormation condition, so serverless-offline and `npm run invoke` see it too.
// Plain CommonJS: the framework loads it as a variable source.

const { whenResolved } = require("./resolve.js");

/** `{ enabled, authorizerTableName }` from the two parameters' values. */
function compute(revocation, tableName) {
  const enabled = String(revocation ?? "").trim() === "true";
  return { enabled: enabled ? "true" : "false", authorizerTableName: enabled ? tableName : "" };
}

/** Variable source: `enabled` ("true" | "false") and `authorizerTableName`. */
function resolveRevocation({ resolveVariable }) {
  return whenResolved(resolveVariable("param:revocation"), (on) =>
    // The table name is only looked up when it is used.
    String(on).trim() === "true"
      ? whenResolved(resolveVariable("param:revocationTableName"), (table) => compute(on, table))
      : compute(on, ""),
  );
}

resolveRevocation.compute = compute;
module.exports = resolveRevocation;
