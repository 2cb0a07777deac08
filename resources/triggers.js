// Which Cognito triggers this deployment wires: the `triggers` parameter ("all", the default, or
// a comma-separated list of the names below). serverless.yml reads the result through
// `${file(./resources/triggers.js):resources}` (a `resources:` entry with one Wire<Name>
// condition per trigger), `:wired.<name>` ("true"/"false"), `:effect.<name>` (its functions'
// own IAM statements) and `:list` (the WiredTriggers output that attach-triggers reads). A trigger left out is neither attached to the pool nor invocable by
// it nor granted anything (docs/deployment.md, "Choosing the triggers").
// Plain CommonJS: the framework loads it as a variable source, with a plain `require` and no
// TypeScript loader, so this list sits next to scripts/registry.ts rather than being read from
// it (it also groups functions: `customAuth` is three); test/deployment/triggers.test.ts keeps
// the two in step.

const { whenResolved } = require("./resolve.js");

/**
 * Trigger name (the parameter's vocabulary) -> the functions (serverless.yml names) it wires
 * and their LambdaConfig slots. `optIn`: also needs its own parameter set to "true".
 */
const TRIGGERS = {
  preSignUp: { functions: ["preSignUp"], slots: ["PreSignUp"] },
  postConfirmation: { functions: ["postConfirmation"], slots: ["PostConfirmation"] },
  postAuthentication: {
    functions: ["postAuthentication"],
    slots: ["PostAuthentication"],
    optIn: "postAuthenticationBackstop",
  },
  preTokenGeneration: { functions: ["preTokenGeneration"], slots: ["PreTokenGenerationConfig"] },
  customAuth: {
    functions: ["defineAuthChallenge", "createAuthChallenge", "verifyAuthChallenge"],
    slots: ["DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse"],
  },
  customMessage: { functions: ["customMessage"], slots: ["CustomMessage"] },
  customEmailSender: {
    functions: ["customEmailSender"],
    slots: ["CustomEmailSender"],
    optIn: "customEmailSender",
  },
  userMigration: { functions: ["userMigration"], slots: ["UserMigration"], optIn: "userMigration" },
  inboundFederation: {
    functions: ["inboundFederation"],
    slots: ["InboundFederation"],
    optIn: "inboundFederation",
  },
};

/**
 * The trigger names `value` (the `triggers` parameter) selects, in TRIGGERS order. Throws an
 * error naming the parameter and the allowed values when it names anything else.
 */
function parseTriggers(value) {
  const text = String(value ?? "").trim();
  const names = Object.keys(TRIGGERS);
  if (text === "all") return names;
  const chosen = text === "" ? [] : text.split(",").map((n) => n.trim());
  const unknown = chosen.filter((n) => !names.includes(n));
  if (chosen.length === 0 || unknown.length > 0) {
    throw new Error(
      `Invalid parameter triggers=${JSON.stringify(text)}: allowed values: all, or a comma-separated list of ${names.join(", ")}`,
    );
  }
  return names.filter((n) => chosen.includes(n));
}

/** `preSignUp` -> `WirePreSignUp`: the condition its slot, permission and grants depend on. */
const conditionName = (name) => `Wire${name.charAt(0).toUpperCase()}${name.slice(1)}`;

/**
 * Variable source: `wired.<name>` ("true" | "false"), `effect.<name>` (the Effect of the
 * trigger's own IAM statements: "Allow", or "Deny" when it is left out, so that they grant
 * nothing), `list` (the chosen names, comma-separated) and `resources` (a `resources:` entry
 * with one `Wire<Name>` condition per trigger, so that adding a trigger here is enough).
 */
function resolveTriggers({ resolveVariable }) {
  const compute = (value) => {
    const chosen = parseTriggers(value);
    const wired = {};
    const effect = {};
    const conditions = {};
    for (const name of Object.keys(TRIGGERS)) {
      wired[name] = chosen.includes(name) ? "true" : "false";
      effect[name] = chosen.includes(name) ? "Allow" : "Deny";
      conditions[conditionName(name)] = { "Fn::Equals": [wired[name], "true"] };
    }
    return { wired, effect, list: chosen.join(","), resources: { Conditions: conditions } };
  };
  return whenResolved(resolveVariable("param:triggers"), compute);
}

resolveTriggers.TRIGGERS = TRIGGERS;
resolveTriggers.parseTriggers = parseTriggers;
resolveTriggers.conditionName = conditionName;
module.exports = resolveTriggers;
