/**
 * The custom message decision: which message a `CustomMessage_` event gets, as the three
 * response fields. Pure; the handler writes the result to `event.response`.
 */
import type { CustomMessageTriggerEvent } from "aws-lambda";
import { InvalidEventError } from "../errors";
import { readStringMap } from "../events";
import { writeMessage } from "../messaging/messages";
import type { Catalog } from "../messaging/templates";
import { CUSTOM_MESSAGE_KINDS } from "./sources";

/** The fields Cognito reads back from a custom message trigger, and the locale used. */
export interface CustomMessageResponse {
  readonly emailSubject: string;
  readonly emailMessage: string;
  readonly smsMessage: string;
  readonly locale: string;
}

/**
 * The message for `event`. The code and user name stay Cognito's stand-ins
 * (`request.codeParameter`, `request.usernameParameter`), which Cognito fills in after the
 * trigger: the trigger never sees the code. Throws InvalidEventError when the stand-in a
 * message needs is missing.
 */
export function buildCustomMessage(
  event: CustomMessageTriggerEvent,
  catalog: Catalog,
): CustomMessageResponse {
  const kind = CUSTOM_MESSAGE_KINDS[event.triggerSource];
  const request = event.request as Partial<CustomMessageTriggerEvent["request"]>;
  const codeParameter = request.codeParameter;
  if (typeof codeParameter !== "string" || codeParameter === "") {
    throw new InvalidEventError("request.codeParameter is missing");
  }
  // Cognito sends usernameParameter for AdminCreateUser only (null elsewhere).
  const usernameParameter =
    typeof request.usernameParameter === "string" && request.usernameParameter !== ""
      ? request.usernameParameter
      : undefined;
  if (kind === "admin-create-user" && usernameParameter === undefined) {
    throw new InvalidEventError("request.usernameParameter is missing");
  }
  const message = writeMessage(catalog, kind, {
    userName: event.userName,
    codeParameter,
    ...(usernameParameter !== undefined ? { usernameParameter } : {}),
    attributes: readStringMap(request.userAttributes),
  });
  return {
    emailSubject: message.subject,
    emailMessage: message.html,
    smsMessage: message.sms ?? "",
    locale: message.locale,
  };
}
