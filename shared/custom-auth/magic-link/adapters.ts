/**
 * The one place magic-link adapters are chosen, once per container: KMS and DynamoDB in AWS;
 * in local mode, the engines whose endpoints are set, else the local key and links files.
 *
 * The KMS client (kms.ts, a dynamic import) loads only with magic links on, and as late as
 * timing allows. Verify: at the first public-key fetch, which runs before the token is looked
 * at, so every first answer on a container pays the same, whoever sent it. Create: during the
 * cold start (the load starts when the signer is built), like the SES client and for the same
 * reason: only a real account's link is signed (an unknown one takes the pretend path), so a
 * client loaded by the first signing would make a real account's first link on a container
 * ~90 ms slower than an unknown one's.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { KMSClient } from "@aws-sdk/client-kms";
import { localEngineOptions, type SdkClientConfig, sdkClientConfig } from "../../aws/clients";
import type { CommonConfig } from "../../config/common";
import type { MagicLinkConfig } from "./config";
import {
  type LinkSigner,
  lazyPublicKeySource,
  loadLocalKeyPair,
  localLinkSigner,
  type PublicKeySource,
  preloadedLinkSigner,
  staticPublicKeySource,
} from "./keys";
import { dynamoNonceStore, localFileNonceStore, type NonceStore } from "./nonces";

/** Client factories (tests pass their own). */
export interface MagicLinkClients {
  readonly makeKms?: (options: Record<string, unknown>) => Pick<KMSClient, "send">;
  readonly makeDynamo?: (options: Record<string, unknown>) => Pick<DynamoDBClient, "send">;
}

function options(
  sdk: SdkClientConfig,
  common: CommonConfig,
  endpoint: string | undefined,
  region: string | undefined,
): Record<string, unknown> {
  return common.localMode && endpoint !== undefined
    ? { ...sdk, ...localEngineOptions(endpoint, region) }
    : { ...sdk };
}

/** The signer create uses (KMS: the client's load starts here, only when called). */
export function createLinkSigner(
  config: MagicLinkConfig,
  common: CommonConfig,
  clients: MagicLinkClients = {},
): LinkSigner {
  if (config.key.kind === "local-file") {
    const { privateKey } = loadLocalKeyPair("LOCAL_MAGIC_LINK_KEY_FILE", config.key.file);
    return localLinkSigner(privateKey, `file:${config.key.file}`);
  }
  const { keyId } = config.key;
  const kmsOptions = options(sdkClientConfig(common), common, config.kmsEndpoint, config.awsRegion);
  return preloadedLinkSigner(`kms:${keyId}`, async () => {
    const kms = await import("./kms");
    return kms.kmsLinkSigner((clients.makeKms ?? kms.newKmsClient)(kmsOptions), keyId);
  });
}

/**
 * The public key verify checks links with: configured, the local file's, or KMS's (the client
 * loaded and the key fetched once, at the first link answer).
 */
export function createPublicKeySource(
  config: MagicLinkConfig,
  common: CommonConfig,
  clients: MagicLinkClients = {},
): PublicKeySource {
  if (config.publicKey !== undefined) {
    return staticPublicKeySource(config.publicKey, "env:CUSTOM_AUTH_MAGIC_LINK_PUBLIC_KEY");
  }
  if (config.key.kind === "local-file") {
    const { publicKey } = loadLocalKeyPair("LOCAL_MAGIC_LINK_KEY_FILE", config.key.file);
    return staticPublicKeySource(publicKey, `file:${config.key.file}`);
  }
  const { keyId } = config.key;
  const kmsOptions = options(sdkClientConfig(common), common, config.kmsEndpoint, config.awsRegion);
  return lazyPublicKeySource(`kms:${keyId}`, async () => {
    const kms = await import("./kms");
    return kms.kmsPublicKeySource((clients.makeKms ?? kms.newKmsClient)(kmsOptions), keyId);
  });
}

/** The live-links store both triggers use. */
export function createNonceStore(
  config: MagicLinkConfig,
  common: CommonConfig,
  clients: MagicLinkClients = {},
): { readonly store: NonceStore; readonly label: string } {
  if (common.localMode && config.dynamoEndpoint === undefined) {
    return { store: localFileNonceStore(config.localFile), label: `file:${config.localFile}` };
  }
  const makeDynamo = clients.makeDynamo ?? ((o) => new DynamoDBClient(o));
  const client = makeDynamo(
    options(sdkClientConfig(common), common, config.dynamoEndpoint, config.awsRegion),
  );
  return {
    store: dynamoNonceStore(client, config.tableName),
    label: `dynamodb:${config.tableName}`,
  };
}
