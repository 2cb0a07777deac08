/**
 * The one place magic-link adapters are chosen, once per container: KMS and DynamoDB in AWS;
 * in local mode, the engines whose endpoints are set, else the local key and links files.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KMSClient } from "@aws-sdk/client-kms";
import { localEngineOptions, type SdkClientConfig, sdkClientConfig } from "../../aws/clients";
import type { CommonConfig } from "../../config/common";
import type { MagicLinkConfig } from "./config";
import {
  type LinkSigner,
  loadLocalKeyPair,
  localLinkSigner,
  type PublicKeySource,
  staticPublicKeySource,
} from "./keys";
import { kmsLinkSigner, kmsPublicKeySource } from "./kms";
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

/** The signer create uses. */
export function createLinkSigner(
  config: MagicLinkConfig,
  common: CommonConfig,
  clients: MagicLinkClients = {},
): LinkSigner {
  if (config.key.kind === "local-file") {
    const { privateKey } = loadLocalKeyPair("LOCAL_MAGIC_LINK_KEY_FILE", config.key.file);
    return localLinkSigner(privateKey, `file:${config.key.file}`);
  }
  const makeKms = clients.makeKms ?? ((o) => new KMSClient(o));
  const kms = makeKms(
    options(sdkClientConfig(common), common, config.kmsEndpoint, config.awsRegion),
  );
  return kmsLinkSigner(kms, config.key.keyId);
}

/** The public key verify checks links with: configured, the local file's, or KMS's (fetched once). */
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
  const makeKms = clients.makeKms ?? ((o) => new KMSClient(o));
  const kms = makeKms(
    options(sdkClientConfig(common), common, config.kmsEndpoint, config.awsRegion),
  );
  return kmsPublicKeySource(kms, config.key.keyId);
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
