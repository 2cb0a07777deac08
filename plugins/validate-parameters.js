// Local plugin: checks the service's parameters (plugins/parameter-rules.js) before
// `serverless package` or `deploy` builds anything, and stops with every bad one named.

const { checkParameters } = require("./parameter-rules");

class ValidateParameters {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = { "before:package:initialize": () => this.validate() };
  }

  /** The parameters as the framework resolves them: --param over params.<stage> over params.default. */
  params(stage) {
    const config = this.serverless.configurationInput?.params ?? {};
    const fromCli = {};
    for (const item of [this.options.param ?? []].flat()) {
      const at = String(item).indexOf("=");
      if (at > 0) fromCli[item.slice(0, at)] = item.slice(at + 1).trimEnd();
    }
    return { ...(config.default ?? {}), ...(config[stage] ?? {}), ...fromCli };
  }

  validate() {
    const provider = this.serverless.getProvider("aws");
    const stage = provider.getStage();
    const region = provider.getRegion();
    const problems = checkParameters(this.params(stage), { stage, region });
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(
        `${problems.join("\n")}\n(every parameter: docs/deployment.md, "Parameters")`,
      );
    }
  }
}

module.exports = ValidateParameters;
