/**
 * The code email's sender: the messaging layer's (SES v2 with one attempt, or the local
 * outbox), chosen from the create-auth config.
 */
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { localEngineOptions, type SdkClientConfig, sdkClientConfig } from "../aws/clients";
import type { EmailSender } from "../messaging/email";
import { createEmailSender } from "../messaging/sender";
import type { CreateAuthConfig } from "./config";

/**
 * The sender for a create-auth config: the local outbox in local mode (unless a local SES
 * endpoint is set through the SDK's standard variables), SES v2 otherwise, with a client built
 * once with bounded timeouts and ONE attempt (an SDK retry could deliver a second email). A
 * local SES stand-in gets dummy credentials, as the local DynamoDB does.
 */
export function createCodeSender(
  config: CreateAuthConfig,
  makeSes: (options: SdkClientConfig) => Pick<SESv2Client, "send"> = (options) =>
    new SESv2Client(
      config.common.localMode && config.sesEndpoint !== undefined
        ? { ...options, ...localEngineOptions(config.sesEndpoint, config.sesRegion) }
        : options,
    ),
): EmailSender {
  return createEmailSender(
    {
      localMode: config.common.localMode,
      localOutboxDir: config.common.localOutboxDir,
      sesEndpoint: config.sesEndpoint,
      fromAddress: config.fromAddress,
      configurationSet: config.configurationSet,
      sdk: sdkClientConfig(config.common),
    },
    makeSes,
  );
}
