/**
 * Magic-link configuration: parsed at cold start, every bad value refused naming its
 * variable; and the log redaction of links and tokens.
 */
import { generateKeyPairSync } from "node:crypto";
import { loadCommonConfig } from "../../../shared/config/common";
import {
  DEFAULT_LINK_THROTTLE_SECONDS,
  DEFAULT_LINK_TTL_SECONDS,
  loadMagicLinkConfig,
  loadMagicLinkCreateConfig,
} from "../../../shared/custom-auth/magic-link/config";
import { localLinkSigner } from "../../../shared/custom-auth/magic-link/local-link-signer";
import { encodePayload, joinToken, newNonce } from "../../../shared/custom-auth/magic-link/token";
import { redact, redactString } from "../../../shared/redact";

const AWS = { LOCAL_MODE: "false" };
const LOCAL = { LOCAL_MODE: "true" };
const ON = {
  CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "links",
  CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: "alias/magic-links",
  CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "https://app.example.com/sign-in/magic",
};
const create = (env: Record<string, string>) =>
  loadMagicLinkCreateConfig(env, loadCommonConfig(env));

describe("magic-link config", () => {
  it("is off without the table, on with it, with the documented defaults", () => {
    // Act
    const off = create({ ...AWS });
    const on = create({ ...AWS, ...ON });

    // Assess
    expect(off).toBeUndefined();
    expect(on).toMatchObject({
      tableName: "links",
      key: { kind: "kms", keyId: "alias/magic-links" },
      baseUrl: "https://app.example.com/sign-in/magic",
      ttlSeconds: DEFAULT_LINK_TTL_SECONDS,
      throttleSeconds: DEFAULT_LINK_THROTTLE_SECONDS,
      publicKey: undefined,
    });
    expect([DEFAULT_LINK_TTL_SECONDS, DEFAULT_LINK_THROTTLE_SECONDS]).toEqual([900, 60]);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      "no base URL",
      { CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "" },
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL is required",
    ],
    [
      "an http base URL",
      { CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "http://app.example.com/" },
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL must be an https URL",
    ],
    [
      "a relative base URL",
      { CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "/sign-in" },
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL is not an absolute URL",
    ],
    [
      "a javascript: URL",
      { CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "javascript:alert(1)" },
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL must be an https URL",
    ],
    [
      "a base URL with a fragment",
      { CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "https://app.example.com/#x" },
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL must not have a fragment",
    ],
    [
      "a base URL with an empty fragment",
      { CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "https://app.example.com/#" },
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL must not have a fragment",
    ],
    [
      "a base URL with credentials",
      { CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "https://u:p@app.example.com/" },
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL must not carry credentials",
    ],
    [
      "a base URL over 1000 characters",
      { CUSTOM_AUTH_MAGIC_LINK_BASE_URL: `https://app.example.com/${"x".repeat(1000)}` },
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL must be at most 1000 characters",
    ],
    [
      "no KMS key outside local mode",
      { CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: "" },
      "CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID is required",
    ],
    [
      "a TTL above Cognito's longest session",
      { CUSTOM_AUTH_MAGIC_LINK_TTL_SECONDS: "901" },
      "CUSTOM_AUTH_MAGIC_LINK_TTL_SECONDS must be between 60 and 900",
    ],
    [
      "a TTL below a minute",
      { CUSTOM_AUTH_MAGIC_LINK_TTL_SECONDS: "59" },
      "CUSTOM_AUTH_MAGIC_LINK_TTL_SECONDS must be between 60 and 900",
    ],
    [
      "a negative throttle",
      { CUSTOM_AUTH_MAGIC_LINK_THROTTLE_SECONDS: "-1" },
      "CUSTOM_AUTH_MAGIC_LINK_THROTTLE_SECONDS must be between 0 and 3600",
    ],
    [
      "a bad table name",
      { CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: "a b" },
      "CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME",
    ],
    [
      "a public key that is not one",
      { CUSTOM_AUTH_MAGIC_LINK_PUBLIC_KEY: "xyz" },
      "CUSTOM_AUTH_MAGIC_LINK_PUBLIC_KEY is not a PEM",
    ],
  ])("refuses %s at cold start, naming the variable", (_name, env, message) => {
    expect(() => create({ ...AWS, ...ON, ...env })).toThrow(`Invalid configuration: ${message}`);
  });

  it("checks a base URL set while the feature is off (a half-done deployment shows)", () => {
    expect(() => create({ ...AWS, CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "http://x.example" })).toThrow(
      "CUSTOM_AUTH_MAGIC_LINK_BASE_URL must be an https URL",
    );
  });

  it("local mode signs with the local key file, even with a key id, unless a KMS endpoint is set", () => {
    const env = { ...LOCAL, ...ON };

    expect(create(env)?.key).toEqual({
      kind: "local-file",
      file: ".local/custom-auth/magic-link-key.pem",
    });
    expect(create({ ...env, AWS_ENDPOINT_URL_KMS: "http://127.0.0.1:4566" })?.key).toEqual({
      kind: "kms",
      keyId: "alias/magic-links",
    });
  });

  it("local mode: http allowed, the key is a local file unless a KMS key id is set", () => {
    const env = {
      ...LOCAL,
      ...ON,
      CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: "",
      CUSTOM_AUTH_MAGIC_LINK_BASE_URL: "http://localhost:3000/magic",
    };

    const config = create(env);

    expect(config?.baseUrl).toBe("http://localhost:3000/magic");
    expect(config?.key).toEqual({
      kind: "local-file",
      file: ".local/custom-auth/magic-link-key.pem",
    });
    expect(
      loadMagicLinkConfig({ ...env, LOCAL_MAGIC_LINK_KEY_FILE: "k.pem" }, loadCommonConfig(env))
        ?.key,
    ).toEqual({
      kind: "local-file",
      file: "k.pem",
    });
  });
});

describe("redaction of links", () => {
  it("masks a token and a link in any logged string, and the nonce and link keys", async () => {
    // Prepare
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const segment = encodePayload({
      v: 1,
      pool: "eu-west-1_X",
      user: "u",
      sub: "s",
      iat: 1,
      exp: 2,
      nonce: newNonce(),
    });
    const token = joinToken(
      segment,
      await localLinkSigner(privateKey, "t").sign(Buffer.from(segment)),
    );
    const url = `https://app.example.com/magic#${token}`;

    // Act
    const text = redactString(`sent ${url} to someone`);
    const logged = JSON.stringify(
      redact({ detail: `answer was ${token}`, nonce: "abc", magicLink: url }),
    );

    // Assess
    expect(text).toBe("sent https://app.example.com/magic#[REDACTED] to someone");
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(segment);
    expect(logged).not.toContain("abc");
  });
});
