/**
 * Magic-link settings shared by create (signs, stores, emails) and verify (checks, consumes),
 * parsed once at cold start; a bad value throws a ConfigError naming the variable. Off (undefined)
 * when CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME is unset.
 */
import type { KeyObject } from "node:crypto";
import type { CommonConfig } from "../../config/common";
import {
  awsEndpoint,
  type Env,
  optionalString,
  optionalTableName,
  readInteger,
} from "../../config/env";
import { ConfigError } from "../../errors";
import { parsePublicKey } from "./link-signer";

/** Where the signing key is (both triggers). */
export type MagicLinkKey =
  /** CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID: the asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY). */
  | { readonly kind: "kms"; readonly keyId: string }
  /** LOCAL_MAGIC_LINK_KEY_FILE: local mode's PEM private key (created when missing), used unless a KMS endpoint is set. */
  | { readonly kind: "local-file"; readonly file: string };

/** The magic-link settings. */
export interface MagicLinkConfig {
  /** CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME: the table of live links (key `pk`, TTL `expiresAt`); setting it turns magic links on. */
  readonly tableName: string;
  /** The signing key: KMS in AWS (and in local mode with a KMS endpoint), else local mode's key file. */
  readonly key: MagicLinkKey;
  /** CUSTOM_AUTH_MAGIC_LINK_PUBLIC_KEY (verify): the key's public half (PEM or base64 DER), so verify needs no kms:GetPublicKey. */
  readonly publicKey: KeyObject | undefined;
  /** CUSTOM_AUTH_MAGIC_LINK_TTL_SECONDS: a link's validity (default 900, 60-900: the longest Cognito auth session). */
  readonly ttlSeconds: number;
  /** CUSTOM_AUTH_MAGIC_LINK_THROTTLE_SECONDS: at most one link per user per this many seconds (default 60, 0-3600; 0: no throttle). */
  readonly throttleSeconds: number;
  /** AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL): in local mode, the DynamoDB engine to use instead of the local file. */
  readonly dynamoEndpoint: string | undefined;
  /** AWS_ENDPOINT_URL_KMS (or AWS_ENDPOINT_URL): in local mode with a KMS key id, a KMS-compatible endpoint. */
  readonly kmsEndpoint: string | undefined;
  /** AWS_REGION: set by Lambda; a local engine gets `eu-west-1` when it is unset. */
  readonly awsRegion: string | undefined;
  /** LOCAL_MAGIC_LINK_FILE: in local mode without a DynamoDB endpoint, the JSON file of live links. */
  readonly localFile: string;
}

/** Create's extra setting: where links point. */
export interface MagicLinkCreateConfig extends MagicLinkConfig {
  /** CUSTOM_AUTH_MAGIC_LINK_BASE_URL: the page that signs in with a link, `<base>#<token>` (https; http only in local mode). */
  readonly baseUrl: string;
}

/** Default of {@link MagicLinkConfig.ttlSeconds}: 15 minutes. */
export const DEFAULT_LINK_TTL_SECONDS = 900;
/** Upper bound of {@link MagicLinkConfig.ttlSeconds}: the longest auth session an app client may have (AuthSessionValidity, 15 minutes). */
export const MAX_LINK_TTL_SECONDS = 900;
/** Longest base URL: with the token (at most 1024), a link stays within 2048 characters. */
export const MAX_BASE_URL_LENGTH = 1000;
/** Default of {@link MagicLinkConfig.throttleSeconds}. */
export const DEFAULT_LINK_THROTTLE_SECONDS = 60;
/** Where local mode keeps the signing key. */
export const DEFAULT_LOCAL_KEY_FILE = ".local/custom-auth/magic-link-key.pem";
/** Where local mode keeps the live links when no DynamoDB endpoint is set. */
export const DEFAULT_LOCAL_LINKS_FILE = ".local/custom-auth/magic-links.json";

/**
 * The link's base URL from `name`: an absolute https URL (http allowed in local mode only),
 * without credentials or fragment (the token goes in the fragment, which browsers do not send
 * to servers or in Referer headers).
 */
export function readBaseUrl(env: Env, name: string, localMode: boolean): string {
  const text = optionalString(env, name);
  if (text === undefined) throw new ConfigError(name, "is required when magic links are on");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, "is not an absolute URL");
  }
  const allowed = localMode ? ["https:", "http:"] : ["https:"];
  if (!allowed.includes(url.protocol)) {
    throw new ConfigError(
      name,
      `must be an https URL${localMode ? " (or http in local mode)" : ""}`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new ConfigError(name, "must not carry credentials");
  }
  if (url.href.length > MAX_BASE_URL_LENGTH) {
    throw new ConfigError(name, `must be at most ${MAX_BASE_URL_LENGTH} characters`);
  }
  if (url.hash !== "" || text.includes("#")) {
    throw new ConfigError(name, "must not have a fragment: the link's token goes there");
  }
  return url.href;
}

/** Parse the shared magic-link settings; undefined (off) when the table is not set. */
export function loadMagicLinkConfig(env: Env, common: CommonConfig): MagicLinkConfig | undefined {
  const tableName = optionalTableName(env, "CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME");
  // Parsed even when off, so a bad value is refused whatever the table setting.
  const ttlSeconds = readInteger(
    env,
    "CUSTOM_AUTH_MAGIC_LINK_TTL_SECONDS",
    DEFAULT_LINK_TTL_SECONDS,
    { min: 60, max: MAX_LINK_TTL_SECONDS },
  );
  const throttleSeconds = readInteger(
    env,
    "CUSTOM_AUTH_MAGIC_LINK_THROTTLE_SECONDS",
    DEFAULT_LINK_THROTTLE_SECONDS,
    { min: 0, max: 3600 },
  );
  const publicKeyText = optionalString(env, "CUSTOM_AUTH_MAGIC_LINK_PUBLIC_KEY");
  const publicKey =
    publicKeyText === undefined
      ? undefined
      : parsePublicKey("CUSTOM_AUTH_MAGIC_LINK_PUBLIC_KEY", publicKeyText);
  if (tableName === undefined) return undefined;
  const keyId = optionalString(env, "CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID");
  const kmsEndpoint = awsEndpoint(env, "KMS");
  let key: MagicLinkKey;
  // Local mode signs with the local key file unless a KMS-compatible endpoint is given (no KMS
  // runs on a laptop, and serverless.yml's alias names a key of the AWS account).
  if (keyId !== undefined && !(common.localMode && kmsEndpoint === undefined)) {
    key = { kind: "kms", keyId };
  } else if (common.localMode) {
    key = {
      kind: "local-file",
      file: optionalString(env, "LOCAL_MAGIC_LINK_KEY_FILE", DEFAULT_LOCAL_KEY_FILE),
    };
  } else {
    throw new ConfigError(
      "CUSTOM_AUTH_MAGIC_LINK_KMS_KEY_ID",
      "is required when magic links are on (CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME is set)",
    );
  }
  return {
    tableName,
    key,
    publicKey,
    ttlSeconds,
    throttleSeconds,
    dynamoEndpoint: awsEndpoint(env, "DYNAMODB"),
    kmsEndpoint,
    awsRegion: optionalString(env, "AWS_REGION"),
    localFile: optionalString(env, "LOCAL_MAGIC_LINK_FILE", DEFAULT_LOCAL_LINKS_FILE),
  };
}

/** Parse create's magic-link settings: the shared ones and the base URL. */
export function loadMagicLinkCreateConfig(
  env: Env,
  common: CommonConfig,
): MagicLinkCreateConfig | undefined {
  const shared = loadMagicLinkConfig(env, common);
  if (shared === undefined) {
    // A base URL without the feature is a half-done deployment: still check it, so a typo shows.
    if (optionalString(env, "CUSTOM_AUTH_MAGIC_LINK_BASE_URL") !== undefined) {
      readBaseUrl(env, "CUSTOM_AUTH_MAGIC_LINK_BASE_URL", common.localMode);
    }
    return undefined;
  }
  return {
    ...shared,
    baseUrl: readBaseUrl(env, "CUSTOM_AUTH_MAGIC_LINK_BASE_URL", common.localMode),
  };
}
