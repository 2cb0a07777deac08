/** The custom email sender's sources and the message each one writes. */
import type { CustomEmailSenderTriggerEvent } from "aws-lambda";
import type { MessageKind } from "../messaging/templates";

/** `triggerSource` -> message kind, for every `CustomEmailSender_` source Cognito sends. */
export const CUSTOM_EMAIL_SENDER_KINDS = {
  CustomEmailSender_SignUp: "sign-up",
  CustomEmailSender_AdminCreateUser: "admin-create-user",
  CustomEmailSender_ResendCode: "resend-code",
  CustomEmailSender_ForgotPassword: "forgot-password",
  CustomEmailSender_UpdateUserAttribute: "update-user-attribute",
  CustomEmailSender_VerifyUserAttribute: "verify-user-attribute",
  CustomEmailSender_Authentication: "authentication",
  CustomEmailSender_AccountTakeOverNotification: "account-take-over-notification",
} as const satisfies Record<CustomEmailSenderTriggerEvent["triggerSource"], MessageKind>;

/** Every `CustomEmailSender_` source. */
export const CUSTOM_EMAIL_SENDER_SOURCES = Object.keys(
  CUSTOM_EMAIL_SENDER_KINDS,
) as CustomEmailSenderTriggerEvent["triggerSource"][];
