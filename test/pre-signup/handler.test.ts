import {
  AdminCreateUserCommand,
  AdminLinkProviderForUserCommand,
  CognitoIdentityProviderClient,
  InvalidParameterException,
  ListUsersCommand,
  TooManyRequestsException,
  UsernameExistsException,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import { GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import type { PreSignUpTriggerEvent } from "../../shared/events";
import { createLogger } from "../../shared/logger";
import { DEFAULT_LINKED_MESSAGE } from "../../shared/pre-signup/config";
import { MESSAGES } from "../../shared/pre-signup/decide";
import { CognitoUserDirectory } from "../../shared/pre-signup/directory";
import { createPreSignUpHandler } from "../../shared/pre-signup/handler";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { configFrom } from "./helpers";

const cognito = mockClient(CognitoIdentityProviderClient);
const meta = { $metadata: {} };

function build(env: Record<string, string> = {}) {
  const client = new CognitoIdentityProviderClient({ region: "eu-west-1" });
  return createPreSignUpHandler({
    config: configFrom(env),
    directory: new CognitoUserDirectory(client),
    logger: createLogger("preSignUp"),
  });
}

function nativeUser(over: Partial<UserType> = {}): UserType {
  return {
    Username: "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f",
    UserStatus: "CONFIRMED",
    Enabled: true,
    Attributes: [
      { Name: "email", Value: "jane.doe@example.com" },
      { Name: "email_verified", Value: "true" },
    ],
    ...over,
  };
}

const federatedEvent = () => loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider");

let output: CapturedOutput;
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  cognito.reset();
});

describe("pre-signup handler: sign-up and admin-create", () => {
  it("answers the sample sign-up with every flag off by default, calling no Cognito API", async () => {
    // Prepare
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    // Act
    const result = await build()(event);
    // Assess
    expect(result.response).toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
    expect(cognito.calls()).toHaveLength(0);
  });

  it("refuses a denied domain with the user-facing message", async () => {
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    await expect(build({ PRE_SIGNUP_DENIED_DOMAINS: "example.com" })(event)).rejects.toThrow(
      MESSAGES.domainDenied,
    );
  });

  it("auto-confirms admin-created users when configured (validationData: null accepted)", async () => {
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-admin-create-user");
    const result = await build({ PRE_SIGNUP_AUTO_CONFIRM_ADMIN_CREATED: "true" })(event);
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
  });

  it("checks invite codes without ever logging them", async () => {
    // Prepare
    const env = { PRE_SIGNUP_INVITE_ONLY: "true", PRE_SIGNUP_INVITE_CODES: "welcome-2026" };
    const good = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    const bad = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    bad.request.validationData = { inviteCode: "guess-1234" };
    const handler = build(env);
    // Act
    const accepted = await handler(good);
    const refused = handler(bad);
    // Assess
    expect(accepted.response.autoConfirmUser).toBe(false);
    await expect(refused).rejects.toThrow(MESSAGES.inviteInvalid);
    expect(output.text()).not.toContain("welcome-2026");
    expect(output.text()).not.toContain("guess-1234");
  });

  it("answers an event of another trigger with the generic message", async () => {
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-sign-up");
    (event as { triggerSource: string }).triggerSource = "PostConfirmation_ConfirmSignUp";
    await expect(build()(event)).rejects.toThrow(GENERIC_ERROR_MESSAGE);
  });
});

describe("pre-signup handler: federated linking", () => {
  it("links a verified federated email to the native user, then asks for a retry", async () => {
    // Prepare
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    // Act
    const outcome = build()(federatedEvent());
    // Assess
    await expect(outcome).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(ListUsersCommand)[0]?.args[0].input).toEqual({
      UserPoolId: "eu-west-1_EXAMPLE01",
      Filter: 'email = "jane.doe@example.com"',
      Limit: 10,
    });
    // The IdP's mixed-case spelling is searched too (the filter is an exact match).
    expect(cognito.commandCalls(ListUsersCommand)[1]?.args[0].input.Filter).toBe(
      'email = "Jane.Doe@example.com"',
    );
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: "eu-west-1_EXAMPLE01",
      DestinationUser: {
        ProviderName: "Cognito",
        ProviderAttributeValue: "5f3c2a1e-8b7d-4c6a-9e2f-1a2b3c4d5e6f",
      },
      SourceUser: {
        ProviderName: "Google",
        ProviderAttributeName: "Cognito_Subject",
        ProviderAttributeValue: "109876543210987654321",
      },
    });
  });

  it("with PRE_SIGNUP_AFTER_LINK=continue, returns the event after linking", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    const result = await build({ PRE_SIGNUP_AFTER_LINK: "continue" })(federatedEvent());
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(1);
  });

  it("restores the provider name's case from a lower-cased userName", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    const event = federatedEvent();
    event.userName = "google_109876543210987654321";
    await expect(build()(event)).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    const source = cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input
      .SourceUser;
    expect(source?.ProviderName).toBe("Google");
  });

  it("never calls Cognito for an email the IdP did not verify", async () => {
    const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider-unverified");
    const result = await build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(event);
    expect(result.response).toEqual({
      autoConfirmUser: false,
      autoVerifyEmail: false,
      autoVerifyPhone: false,
    });
    expect(cognito.calls()).toHaveLength(0);
  });

  it("treats an identity Cognito reports as already linked as linked", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito
      .on(AdminLinkProviderForUserCommand)
      .rejects(new InvalidParameterException({ message: "User is already linked", ...meta }));
    await expect(build()(federatedEvent())).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
  });

  it("skips the link call when the native user already lists the identity", async () => {
    const identities = JSON.stringify([
      { userId: "109876543210987654321", providerName: "Google", providerType: "Google" },
    ]);
    const user = nativeUser();
    user.Attributes?.push({ Name: "identities", Value: identities });
    cognito.on(ListUsersCommand).resolves({ Users: [user] });
    await expect(build()(federatedEvent())).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it("keeps a separate federated user when no native user exists (default policy)", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const result = await build()(federatedEvent());
    expect(result.response).toMatchObject({ autoConfirmUser: true, autoVerifyEmail: true });
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it("creates the native user (suppressed message, verified email) and links, with create-native", async () => {
    // Prepare
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    cognito.on(AdminCreateUserCommand).resolves({ User: { Username: "new-uuid" } });
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    // Act
    const outcome = build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(federatedEvent());
    // Assess
    await expect(outcome).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: "eu-west-1_EXAMPLE01",
      Username: "jane.doe@example.com",
      UserAttributes: [
        { Name: "email", Value: "jane.doe@example.com" },
        { Name: "email_verified", Value: "true" },
      ],
      MessageAction: "SUPPRESS",
      ClientMetadata: { preSignUpPurpose: "federated-link" },
    });
    expect(
      cognito.commandCalls(AdminLinkProviderForUserCommand)[0]?.args[0].input.DestinationUser,
    ).toEqual({ ProviderName: "Cognito", ProviderAttributeValue: "new-uuid" });
  });

  it("links to the user a concurrent sign-in created when AdminCreateUser says it exists", async () => {
    cognito
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [] })
      .resolvesOnce({ Users: [] })
      .resolves({ Users: [nativeUser({ UserStatus: "FORCE_CHANGE_PASSWORD" })] });
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new UsernameExistsException({ message: "User account already exists", ...meta }));
    cognito.on(AdminLinkProviderForUserCommand).resolves({});
    await expect(
      build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(federatedEvent()),
    ).rejects.toThrow(DEFAULT_LINKED_MESSAGE);
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(1);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(1);
  });

  it("handles two concurrent first sign-ins: one native user, one link, both told to retry", async () => {
    // Prepare: a stateful fake of the three calls, as Cognito behaves.
    const users: UserType[] = [];
    const links = new Set<string>();
    cognito.on(ListUsersCommand).callsFake(async () => {
      await new Promise((r) => setImmediate(r));
      return { Users: users.map((u) => ({ ...u })) };
    });
    cognito.on(AdminCreateUserCommand).callsFake(async (input) => {
      if (users.length > 0) throw new UsernameExistsException({ message: "exists", ...meta });
      users.push(nativeUser({ Username: "created-uuid", UserStatus: "FORCE_CHANGE_PASSWORD" }));
      return { User: { Username: "created-uuid", Attributes: input.UserAttributes } };
    });
    cognito.on(AdminLinkProviderForUserCommand).callsFake(async (input) => {
      const key = `${input.SourceUser.ProviderName}/${input.SourceUser.ProviderAttributeValue}`;
      if (links.has(key)) {
        throw new InvalidParameterException({ message: "Source user already linked", ...meta });
      }
      links.add(key);
      return {};
    });
    const handler = build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" });
    // Act
    const results = await Promise.allSettled([
      handler(federatedEvent()),
      handler(federatedEvent()),
    ]);
    // Assess
    for (const result of results) {
      expect(result).toMatchObject({
        status: "rejected",
        reason: { message: DEFAULT_LINKED_MESSAGE },
      });
    }
    expect(users).toHaveLength(1);
    expect([...links]).toEqual(["Google/109876543210987654321"]);
  });

  it("fails with the generic message when ListUsers is throttled, and links nothing", async () => {
    cognito
      .on(ListUsersCommand)
      .rejects(new TooManyRequestsException({ message: "Rate exceeded", ...meta }));
    await expect(build()(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
    expect(output.text()).toContain("TooManyRequestsException");
  });

  it("fails with the generic message when the link call is throttled or invalid", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [nativeUser()] });
    cognito
      .on(AdminLinkProviderForUserCommand)
      .rejectsOnce(new TooManyRequestsException({ message: "Rate exceeded", ...meta }))
      .rejects(new InvalidParameterException({ message: "Invalid SourceUser", ...meta }));
    const handler = build();
    await expect(handler(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    await expect(handler(federatedEvent())).rejects.toThrow(GENERIC_ERROR_MESSAGE);
  });

  it("fails with the generic message when AdminCreateUser fails otherwise", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    cognito
      .on(AdminCreateUserCommand)
      .rejects(new TooManyRequestsException({ message: "Rate exceeded", ...meta }));
    await expect(
      build({ PRE_SIGNUP_NO_NATIVE_USER: "create-native" })(federatedEvent()),
    ).rejects.toThrow(GENERIC_ERROR_MESSAGE);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it("refuses to link when several native users have the email", async () => {
    cognito
      .on(ListUsersCommand)
      .resolves({ Users: [nativeUser(), nativeUser({ Username: "other-uuid" })] });
    await expect(build()(federatedEvent())).rejects.toThrow(MESSAGES.severalAccounts);
    expect(cognito.commandCalls(AdminLinkProviderForUserCommand)).toHaveLength(0);
  });

  it("escapes the email in the ListUsers filter", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const event = federatedEvent();
    event.request.userAttributes.email = 'jane"or\\x@example.com';
    await build()(event);
    expect(cognito.commandCalls(ListUsersCommand)[0]?.args[0].input.Filter).toBe(
      'email = "jane\\"or\\\\x@example.com"',
    );
  });

  it("in invite-only mode, refuses a federated sign-up with no account to link to", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const env = { PRE_SIGNUP_INVITE_ONLY: "true", PRE_SIGNUP_INVITE_CODES: "x-1" };
    await expect(build(env)(federatedEvent())).rejects.toThrow(MESSAGES.inviteRequired);
  });
});
