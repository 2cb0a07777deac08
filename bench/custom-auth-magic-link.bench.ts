/**
 * Magic-link verify path: parse the token and check its ECDSA P-256 signature with the public
 * key already in memory (what verify does on every link answer after the container's first),
 * plus the pool, user and expiry checks. Signing (KMS) and the single-use delete (one DynamoDB
 * call) are left out: the first is create's, the second a network round trip no in-process
 * figure would measure truthfully. Target <= 100 us.
 */
import { generateKeyPairSync } from "node:crypto";
import { signatureCheck } from "../shared/custom-auth/magic-link/link-signer";
import { localLinkSigner } from "../shared/custom-auth/magic-link/local-link-signer";
import {
  checkToken,
  encodePayload,
  joinToken,
  newNonce,
  parseToken,
} from "../shared/custom-auth/magic-link/token";
import { type BenchRow, formatMicros, medianMicros } from "./lib";

const TARGET_US = 100;

/** Run the magic-link benchmarks. */
export async function run(): Promise<BenchRow[]> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const now = Date.now();
  const iat = Math.floor(now / 1000);
  const subject = {
    pool: "eu-west-1_AbCdEf123",
    user: "11111111-2222-3333-4444-555555555555",
    sub: "11111111-2222-3333-4444-555555555555",
  };
  const segment = encodePayload({ v: 1, ...subject, iat, exp: iat + 900, nonce: newNonce() });
  const token = joinToken(
    segment,
    await localLinkSigner(privateKey, "bench").sign(Buffer.from(segment, "ascii")),
  );
  // The cached key's check, built once per container as verify does.
  const check = signatureCheck(publicKey);
  const expected = { ...subject, nowMs: now };
  // Measure the accepted path: a refusal would stop earlier.
  const verdict = checkToken(token, check, expected).verdict;
  if (verdict !== "valid") throw new Error(`bench token was refused: ${verdict}`);

  const verify = await medianMicros(() => checkToken(token, check, expected), {
    batch: 200,
    rounds: 15,
  });
  const parse = await medianMicros(() => parseToken(token));

  return [
    {
      name: "custom-auth: magic-link verify (parse + P-256 check, cached key)",
      value: formatMicros(verify),
      target: `<= ${TARGET_US} us`,
      ok: verify <= TARGET_US,
    },
    { name: "custom-auth: magic-link parse only", value: formatMicros(parse) },
  ];
}
