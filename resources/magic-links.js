// Magic links' function variables, decided at package time from the parameters: the table,
// the key alias and the client list when `customAuthMagicLinks` is "true" and the `triggers`
// parameter wires customAuth, else "" (magic links off). Plain strings, not CloudFormation
// conditions, so `serverless invoke local` and serverless-offline read them too. serverless.yml
// reads `${file(./resources/magic-links.js):<key>}`; resources/magic-links.yml creates the
// key, alias and table under the same switch (its MagicLinksEnabled condition).
// Plain CommonJS: the framework loads it as a variable source.

const { resolveParams, whenResolved } = require("./resolve.js");
const { parseTriggers } = require("./triggers.js");

const NAMES = [
  "customAuthMagicLinks",
  "triggers",
  "customAuthMagicLinkTableName",
  "customAuthMagicLinkKeyAlias",
  "customAuthMagicLinkClientIds",
];

/** The variables for the resolved parameter values (name -> value). */
function compute(values) {
  const on =
    String(values.customAuthMagicLinks ?? "").trim() === "true" &&
    parseTriggers(values.triggers).includes("customAuth");
  const text = (value) => (on ? String(value ?? "") : "");
  return {
    enabled: on ? "true" : "false",
    tableName: text(values.customAuthMagicLinkTableName),
    keyId: text(values.customAuthMagicLinkKeyAlias),
    clientIds: text(values.customAuthMagicLinkClientIds),
  };
}

/** Variable source: `enabled`, `tableName`, `keyId`, `clientIds`. */
function resolveMagicLinks({ resolveVariable }) {
  return whenResolved(resolveParams(resolveVariable, NAMES), compute);
}

resolveMagicLinks.compute = compute;
module.exports = resolveMagicLinks;
