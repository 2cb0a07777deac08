/** The custom message trigger's sources and the message each one writes. */
import type { CustomMessageTriggerEvent } from "aws-lambda";
import type { MessageKind } from "../messaging/templates";

/** `triggerSource` -> message kind, for every `CustomMessage_` source Cognito sends. */
export const CUSTOM_MESSAGE_KINDS = {
  CustomMessage_SignUp: "sign-up",
  CustomMessage_AdminCreateUser: "admin-create-user",
  CustomMessage_ResendCode: "resend-code",
  CustomMessage_ForgotPassword: "forgot-password",
  CustomMessage_UpdateUserAttribute: "update-user-attribute",
  CustomMessage_VerifyUserAttribute: "verify-user-attribute",
  CustomMessage_Authentication: "authentication",
} as const satisfies Record<CustomMessageTriggerEvent["triggerSource"], MessageKind>;

/** Every `CustomMessage_` source. */
export const CUSTOM_MESSAGE_SOURCES = Object.keys(
  CUSTOM_MESSAGE_KINDS,
) as CustomMessageTriggerEvent["triggerSource"][];
