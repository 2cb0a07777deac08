import { ConfigError } from "../../shared/errors";
import {
  DEFAULT_LOCAL_PROFILE_FILE,
  loadProvisioningConfig,
} from "../../shared/provisioning/config";

const BASE = { PROFILE_TABLE_NAME: "cognito-triggers-dev-profiles" };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadProvisioningConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadProvisioningConfig", () => {
  it("reads the table, the default group and the domain rule", () => {
    // Prepare
    const env = {
      ...BASE,
      DEFAULT_GROUP: "members",
      GROUP_BY_EMAIL_DOMAIN: '{"Example.COM":"staff","partner.example.org":"partners"}',
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000",
    };

    // Act
    const config = loadProvisioningConfig(env);

    // Assess
    expect(config).toMatchObject({
      profileTableName: "cognito-triggers-dev-profiles",
      defaultGroup: "members",
      groupByEmailDomain: { "example.com": "staff", "partner.example.org": "partners" },
      dynamoEndpoint: "http://127.0.0.1:8000",
      cognitoEndpoint: undefined,
      localProfileFile: DEFAULT_LOCAL_PROFILE_FILE,
      localMode: false,
    });
  });

  it("defaults to no default group and no rule", () => {
    // Act
    const config = loadProvisioningConfig({ ...BASE, DEFAULT_GROUP: " " });

    // Assess
    expect(config.defaultGroup).toBeUndefined();
    expect({ ...config.groupByEmailDomain }).toEqual({});
  });

  it("falls back to AWS_ENDPOINT_URL for both engines", () => {
    // Act
    const config = loadProvisioningConfig({
      ...BASE,
      AWS_ENDPOINT_URL: "http://localhost:4566",
    });

    // Assess
    expect(config.dynamoEndpoint).toBe("http://localhost:4566");
    expect(config.cognitoEndpoint).toBe("http://localhost:4566");
  });

  it.each([
    [{}, "PROFILE_TABLE_NAME"],
    [{ PROFILE_TABLE_NAME: "a b" }, "PROFILE_TABLE_NAME"],
    [{ ...BASE, DEFAULT_GROUP: "two words" }, "DEFAULT_GROUP"],
    [{ ...BASE, GROUP_BY_EMAIL_DOMAIN: "not json" }, "GROUP_BY_EMAIL_DOMAIN"],
    [{ ...BASE, GROUP_BY_EMAIL_DOMAIN: '["staff"]' }, "GROUP_BY_EMAIL_DOMAIN"],
    [{ ...BASE, GROUP_BY_EMAIL_DOMAIN: '{"example.com":42}' }, "GROUP_BY_EMAIL_DOMAIN"],
    [{ ...BASE, GROUP_BY_EMAIL_DOMAIN: '{"not a domain":"staff"}' }, "GROUP_BY_EMAIL_DOMAIN"],
    [{ ...BASE, GROUP_BY_EMAIL_DOMAIN: '{"@example.com":"staff"}' }, "GROUP_BY_EMAIL_DOMAIN"],
    [{ ...BASE, GROUP_BY_EMAIL_DOMAIN: '{"a.com":"x","A.com":"y"}' }, "GROUP_BY_EMAIL_DOMAIN"],
    [{ ...BASE, GROUP_BY_EMAIL_DOMAIN: '{"example.com":""}' }, "GROUP_BY_EMAIL_DOMAIN"],
    [{ ...BASE, LOCAL_MODE: "maybe" }, "LOCAL_MODE"],
  ])("rejects %j naming %s", (env, variable) => {
    // Act
    const error = configError(env as Record<string, string>);

    // Assess
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });
});
