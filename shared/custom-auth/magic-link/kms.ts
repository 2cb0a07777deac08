/**
 * The magic-link key in KMS: an asymmetric ECC_NIST_P256 key. Create signs with `kms:Sign`;
 * verify fetches the public key once with `kms:GetPublicKey` and checks links in memory.
 * Only adapters.ts imports this module, and only on first use (a dynamic import): requiring
 * the KMS client costs ~90 ms, and neither trigger needs it at cold start.
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { GetPublicKeyCommand, KMSClient, SignCommand } from "@aws-sdk/client-kms";
import { awsCall, type Deadline } from "../../aws/clients";
import { DependencyError } from "../../errors";
import {
  derToRawSignature,
  isP256,
  KEY_SPEC,
  type LinkSigner,
  type PublicKeySource,
  SIGNING_ALGORITHM,
} from "./keys";

/** A KMS client with `options` (the SDK settings adapters.ts chose). */
export function newKmsClient(options: Record<string, unknown>): KMSClient {
  return new KMSClient(options);
}

/** The signer of a KMS key: one `kms:Sign` per link, bounded by the invocation's deadline. */
export function kmsLinkSigner(client: Pick<KMSClient, "send">, keyId: string): LinkSigner {
  return {
    label: `kms:${keyId}`,
    async sign(message, deadline) {
      const out = await awsCall("KMS Sign", deadline, (options) =>
        client.send(
          new SignCommand({
            KeyId: keyId,
            Message: message,
            MessageType: "RAW",
            SigningAlgorithm: SIGNING_ALGORITHM,
          }),
          options,
        ),
      );
      if (out.Signature === undefined) throw new DependencyError("KMS Sign returned no signature");
      return derToRawSignature(out.Signature);
    },
  };
}

/**
 * The public key of a KMS key, fetched with one `kms:GetPublicKey` on first use and kept for
 * the container's life. A failed fetch is not kept: the next call tries again.
 */
export function kmsPublicKeySource(
  client: Pick<KMSClient, "send">,
  keyId: string,
): PublicKeySource {
  let cached: Promise<KeyObject> | undefined;
  async function fetchKey(deadline: Deadline | undefined): Promise<KeyObject> {
    const out = await awsCall("KMS GetPublicKey", deadline, (options) =>
      client.send(new GetPublicKeyCommand({ KeyId: keyId }), options),
    );
    if (out.KeySpec !== KEY_SPEC || out.KeyUsage !== "SIGN_VERIFY" || out.PublicKey === undefined) {
      // Not a passing failure: the deployment names the wrong key.
      throw new DependencyError(
        `KMS key ${keyId} is ${String(out.KeySpec)}/${String(out.KeyUsage)}, not ${KEY_SPEC}/SIGN_VERIFY`,
      );
    }
    const key = createPublicKey({
      key: Buffer.from(out.PublicKey),
      format: "der",
      type: "spki",
    });
    if (!isP256(key)) throw new DependencyError(`KMS key ${keyId} has no P-256 public key`);
    return key;
  }
  return {
    label: `kms:${keyId}`,
    get(deadline) {
      if (cached === undefined) {
        cached = fetchKey(deadline);
        cached.catch(() => {
          cached = undefined;
        });
      }
      return cached;
    },
  };
}
