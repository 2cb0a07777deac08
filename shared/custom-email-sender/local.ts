/**
 * Local-mode stand-ins of the custom email sender (`npm run invoke`, the offline stack): a
 * published raw AES key in place of the pool's KMS key (the sample events' codes are
 * encrypted under it), and an in-memory record of sent emails when no DynamoDB engine is
 * set. Never used in AWS: local mode is refused in a deployed function.
 */
import { createHash } from "node:crypto";
import type { KeyringNode } from "@aws-crypto/material-management-node";
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from "@aws-crypto/raw-aes-keyring-node";
import type { EmailSender } from "../messaging/sender";
import type { SendOnce } from "./once";

/** The local code key's name in the Encryption SDK message (namespace and name). */
export const LOCAL_KEY_NAMESPACE = "cognito-triggers-local";
/** See {@link LOCAL_KEY_NAMESPACE}. */
export const LOCAL_KEY_NAME = "local-code-key";
/** The HMAC key of local idempotency keys (local mode only; AWS gets a random one per stack). */
export const LOCAL_CODE_HASH_KEY = "cognito-triggers-local-code-hash-key-not-secret";

/** The published local key: SHA-256 of a fixed text. A secret nowhere. */
function localKey(): Uint8Array {
  // A fresh isolated buffer per keyring: the keyring takes ownership of it.
  return Uint8Array.from(createHash("sha256").update("cognito-triggers local code key").digest());
}

/** The keyring local-mode codes are encrypted and decrypted with. */
export function localKeyring(): KeyringNode {
  return new RawAesKeyringNode({
    keyNamespace: LOCAL_KEY_NAMESPACE,
    keyName: LOCAL_KEY_NAME,
    unencryptedMasterKey: localKey(),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
}

/** {@link SendOnce} over an in-memory set of keys (one process's memory: local mode only). */
export function inMemorySendOnce(sender: EmailSender): SendOnce {
  const sent = new Set<string>();
  return async (key, email, deadline) => {
    const id = JSON.stringify([key.userPoolId, key.user, key.source, key.proof]);
    if (sent.has(id)) return "duplicate";
    sent.add(id);
    try {
      await sender.send(email, deadline);
      return "sent";
    } catch (error) {
      sent.delete(id);
      throw error;
    }
  };
}
