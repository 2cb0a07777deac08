/**
 * The code Cognito hands a custom sender is an AWS Encryption SDK message (base64), encrypted
 * under the pool's KMS key. {@link createCodeDecrypter} decrypts it with any keyring: the KMS
 * keyring in AWS ({@link kmsKeyring}), a raw AES keyring in tests (same message format).
 */
// The Encryption SDK's decrypt side only (the packages @aws-crypto/client-node is made of, at
// its version): its encrypt side, caching manager and the hierarchical keyring's branch keystore
// (which the package index of kms-keyring-node loads) would add about 50 KB and several ms of
// cold start this function never uses (bench/messages.bench.ts). The KMS keyring is imported
// from its own module for that reason; a layout change fails the type check.
import { buildDecrypt } from "@aws-crypto/decrypt-node";
import { getClient } from "@aws-crypto/kms-keyring";
import { KmsKeyringNode } from "@aws-crypto/kms-keyring-node/build/main/src/kms_keyring_node";
import { CommitmentPolicy, type KeyringNode } from "@aws-crypto/material-management-node";
import { KMS } from "@aws-sdk/client-kms";
import type { SdkClientConfig } from "../aws/clients";
import { DependencyError, InvalidEventError } from "../errors";

/** Decrypts one encrypted code; rejects with InvalidEventError (not a code) or DependencyError (KMS). */
export type CodeDecrypter = (encryptedCode: string) => Promise<string>;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Cognito's codes and temporary passwords are short; anything longer is not one.
const MAX_CIPHERTEXT_CHARS = 8192;
const MAX_PLAINTEXT_BYTES = 256;

/**
 * A decrypter over `keyring`. Messages with more than one encrypted data key are refused
 * (Cognito writes one), so a crafted message cannot make the keyring try many.
 */
export function createCodeDecrypter(keyring: KeyringNode): CodeDecrypter {
  // Cognito encrypts with key commitment off; decrypting either kind is what it needs.
  const { decrypt } = buildDecrypt({
    commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
    maxEncryptedDataKeys: 1,
  });
  return async (encryptedCode) => {
    if (encryptedCode.length > MAX_CIPHERTEXT_CHARS || !BASE64.test(encryptedCode)) {
      throw new InvalidEventError("request.code is not an encrypted code");
    }
    let plaintext: Buffer;
    try {
      ({ plaintext } = await decrypt(keyring, Buffer.from(encryptedCode, "base64")));
    } catch (error) {
      // The SDK's message says which step failed; it holds no key material or plaintext.
      throw new DependencyError(
        `code decryption failed (${error instanceof Error ? error.name : "unknown"})`,
        { cause: error },
      );
    }
    if (plaintext.length === 0 || plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new InvalidEventError("request.code does not hold a code");
    }
    return plaintext.toString("utf8");
  };
}

/**
 * The KMS keyring for `keyArn`, its client built once with the suite's bounded timeouts
 * (`sdk`). Only `kms:Decrypt` on that key is needed.
 */
export function kmsKeyring(keyArn: string, sdk: SdkClientConfig): KeyringNode {
  return new KmsKeyringNode({
    generatorKeyId: keyArn,
    clientProvider: getClient(KMS, sdk),
  });
}
