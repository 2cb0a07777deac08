import { loadCommonConfig } from "../../shared/config/common";
import {
  awsEndpoint,
  optionalString,
  optionalTableName,
  readBoolean,
  readEnum,
  readInteger,
  readJson,
  readList,
  requireString,
  requireTableName,
} from "../../shared/config/env";
import { ConfigError } from "../../shared/errors";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("env readers", () => {
  it("requireString names the missing variable, and treats blank as missing", () => {
    // Prepare / Act
    const missing = configError(() => requireString({}, "PROFILE_TABLE_NAME"));
    const blank = configError(() =>
      requireString({ PROFILE_TABLE_NAME: "  " }, "PROFILE_TABLE_NAME"),
    );

    // Assess
    expect(missing.variable).toBe("PROFILE_TABLE_NAME");
    expect(missing.message).toContain("PROFILE_TABLE_NAME");
    expect(blank.variable).toBe("PROFILE_TABLE_NAME");
    expect(requireString({ PROFILE_TABLE_NAME: " profiles " }, "PROFILE_TABLE_NAME")).toBe(
      "profiles",
    );
  });

  it("optionalString falls back when unset or blank", () => {
    expect(optionalString({}, "X")).toBeUndefined();
    expect(optionalString({ X: "" }, "X", "d")).toBe("d");
    expect(optionalString({ X: " v " }, "X", "d")).toBe("v");
  });

  it("optionalTableName / requireTableName accept DynamoDB table names only, naming the variable", () => {
    // Act
    const bad = configError(() => optionalTableName({ T: "a b" }, "T"));
    const short = configError(() => requireTableName({ T: "ab" }, "T"));
    const missing = configError(() => requireTableName({ T: " " }, "T"));

    // Assess
    expect(optionalTableName({}, "T")).toBeUndefined();
    expect(optionalTableName({ T: "" }, "T")).toBeUndefined();
    expect(optionalTableName({ T: " svc-dev_attempts.v1 " }, "T")).toBe("svc-dev_attempts.v1");
    expect(requireTableName({ T: "abc" }, "T")).toBe("abc");
    expect(bad.message).toBe('Invalid configuration: T "a b" is not a DynamoDB table name');
    expect(short.variable).toBe("T");
    expect(missing.message).toBe("Invalid configuration: T is required but is not set");
  });

  it.each([
    ["true", true],
    ["TRUE", true],
    ["1", true],
    ["yes", true],
    ["on", true],
    ["false", false],
    ["False", false],
    ["0", false],
    ["no", false],
    ["off", false],
  ])("readBoolean parses %s strictly as %s", (value, expected) => {
    expect(readBoolean({ FLAG: value }, "FLAG", !expected)).toBe(expected);
  });

  it("readBoolean rejects anything else, naming the variable, and defaults when unset", () => {
    expect(configError(() => readBoolean({ FLAG: "ture" }, "FLAG", false)).message).toMatch(
      /FLAG must be true or false, got "ture"/,
    );
    expect(readBoolean({}, "FLAG", true)).toBe(true);
  });

  it("readInteger checks digits and bounds", () => {
    const bounds = { min: 1, max: 10 };
    expect(readInteger({ N: "7" }, "N", 3, bounds)).toBe(7);
    expect(readInteger({}, "N", 3, bounds)).toBe(3);
    expect(configError(() => readInteger({ N: "7.5" }, "N", 3, bounds)).variable).toBe("N");
    expect(configError(() => readInteger({ N: "abc" }, "N", 3, bounds)).message).toContain("N");
    expect(configError(() => readInteger({ N: "11" }, "N", 3, bounds)).message).toMatch(
      /between 1 and 10/,
    );
  });

  it("readList trims items and drops empty ones", () => {
    expect(readList({ L: " a.com, ,b.com ,, " }, "L")).toEqual(["a.com", "b.com"]);
    expect(readList({}, "L")).toEqual([]);
  });

  it("readEnum accepts only listed values", () => {
    expect(readEnum({ E: "link" }, "E", ["allow", "link"] as const, "allow")).toBe("link");
    expect(readEnum({}, "E", ["allow", "link"] as const, "allow")).toBe("allow");
    expect(
      configError(() => readEnum({ E: "LINK" }, "E", ["allow", "link"], "allow")).variable,
    ).toBe("E");
  });

  it("readJson names the variable for invalid JSON and for a failed validation", () => {
    const validate = (value: unknown): string[] => {
      if (!Array.isArray(value)) throw new Error("must be an array");
      return value as string[];
    };
    expect(readJson({ J: '["a"]' }, "J", [], validate)).toEqual(["a"]);
    expect(readJson({}, "J", ["d"], validate)).toEqual(["d"]);
    expect(configError(() => readJson({ J: "{oops" }, "J", [], validate)).message).toBe(
      "Invalid configuration: J is not valid JSON",
    );
    expect(configError(() => readJson({ J: "{}" }, "J", [], validate)).message).toBe(
      "Invalid configuration: J is invalid: must be an array",
    );
  });
});

describe("loadCommonConfig", () => {
  it("has bounded defaults that fit Cognito's 5 s limit", () => {
    const config = loadCommonConfig({});
    expect(config.localMode).toBe(false);
    expect(config.awsCallBudgetMs).toBe(4000);
    expect(config.awsCallTimeoutMs * config.awsMaxAttempts).toBeLessThanOrEqual(
      config.awsCallBudgetMs,
    );
  });

  it("refuses attempts x timeout over the invocation budget, naming the variable", () => {
    // Prepare / Act
    const tooMany = configError(() => loadCommonConfig({ AWS_MAX_ATTEMPTS: "5" }));
    const tooLong = configError(() =>
      loadCommonConfig({ AWS_CALL_TIMEOUT_MS: "1500", AWS_CALL_BUDGET_MS: "2000" }),
    );
    // Assess
    expect(tooMany.variable).toBe("AWS_MAX_ATTEMPTS");
    expect(tooMany.message).toContain("AWS_CALL_BUDGET_MS");
    expect(tooLong.variable).toBe("AWS_MAX_ATTEMPTS");
    expect(configError(() => loadCommonConfig({ AWS_CALL_BUDGET_MS: "9000" })).variable).toBe(
      "AWS_CALL_BUDGET_MS",
    );
    expect(
      loadCommonConfig({
        AWS_MAX_ATTEMPTS: "3",
        AWS_CALL_TIMEOUT_MS: "1500",
        AWS_CALL_BUDGET_MS: "4500",
      }).awsMaxAttempts,
    ).toBe(3);
  });

  it("turns local mode on under serverless invoke local / offline, unless LOCAL_MODE says no", () => {
    expect(loadCommonConfig({ IS_LOCAL: "true" }).localMode).toBe(true);
    expect(loadCommonConfig({ IS_OFFLINE: "true" }).localMode).toBe(true);
    expect(loadCommonConfig({ IS_LOCAL: "true", LOCAL_MODE: "false" }).localMode).toBe(false);
  });

  it("refuses LOCAL_MODE in a deployed Lambda function, naming the variable", () => {
    const deployed = { AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x" };
    expect(() => loadCommonConfig({ ...deployed, LOCAL_MODE: "true" })).toThrow(/LOCAL_MODE/);
    expect(loadCommonConfig(deployed).localMode).toBe(false);
    // serverless-offline / invoke local set IS_OFFLINE / IS_LOCAL: local mode stays allowed.
    expect(
      loadCommonConfig({ ...deployed, IS_OFFLINE: "true", LOCAL_MODE: "true" }).localMode,
    ).toBe(true);
  });

  it("fails naming the variable for a malformed timeout", () => {
    expect(configError(() => loadCommonConfig({ AWS_CALL_TIMEOUT_MS: "soon" })).variable).toBe(
      "AWS_CALL_TIMEOUT_MS",
    );
    expect(configError(() => loadCommonConfig({ AWS_MAX_ATTEMPTS: "9" })).variable).toBe(
      "AWS_MAX_ATTEMPTS",
    );
  });
});

describe("awsEndpoint", () => {
  it("prefers the service's own variable, then the global one, as the AWS SDKs do", () => {
    const env = {
      AWS_ENDPOINT_URL: "http://127.0.0.1:4000",
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000",
    };
    expect(awsEndpoint(env, "DYNAMODB")).toBe("http://127.0.0.1:8000");
    expect(awsEndpoint(env, "KMS")).toBe("http://127.0.0.1:4000");
    expect(awsEndpoint({}, "SESV2")).toBeUndefined();
  });

  it("counts an empty service variable as unset", () => {
    const env = { AWS_ENDPOINT_URL: "http://127.0.0.1:4000", AWS_ENDPOINT_URL_SESV2: "" };
    expect(awsEndpoint(env, "SESV2")).toBe("http://127.0.0.1:4000");
  });
});
