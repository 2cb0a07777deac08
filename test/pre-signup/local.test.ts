/**
 * Local mode: the function module as `npm run invoke` loads it (IS_LOCAL set),
 * with the in-memory Cognito stand-in, on the sample events.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import {
  CognitoIdentityProviderClient,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { mockClient } from "aws-sdk-client-mock";
import { Deadline } from "../../shared/aws/clients";
import { ConfigError, DependencyError, GENERIC_ERROR_MESSAGE } from "../../shared/errors";
import type { PreSignUpTriggerEvent } from "../../shared/events";
import { CognitoUserDirectory } from "../../shared/pre-signup/cognito-directory";
import { DEFAULT_LINKED_MESSAGE } from "../../shared/pre-signup/config";
import type { UserDirectory } from "../../shared/pre-signup/directory";
import { type LocalUser, LocalUserDirectory } from "../../shared/pre-signup/local-directory";
import type { FederatedIdentity } from "../../shared/pre-signup/provider";
import { loadEvent } from "../helpers/events";
import { type CapturedOutput, captureOutput } from "../helpers/logs";
import { type FakeUser, installFakeCognito } from "./fake-cognito";

type Handler = (event: PreSignUpTriggerEvent) => Promise<PreSignUpTriggerEvent>;

const USERS_FILE = join(__dirname, "fixtures", "local-users.json");
const saved = { ...process.env };
let output: CapturedOutput;

/** Load functions/pre-signup.ts afresh (a cold start) with `env` on top of IS_LOCAL. */
async function coldStart(env: Record<string, string>): Promise<Handler> {
  for (const key of Object.keys(process.env)) {
    if (key.startsWith("PRE_SIGNUP_") || key.startsWith("AWS_ENDPOINT_URL"))
      delete process.env[key];
  }
  Object.assign(process.env, { IS_LOCAL: "true", LOCAL_MODE: "", ...env });
  let handler: Handler | undefined;
  await jest.isolateModulesAsync(async () => {
    handler = (await import("../../functions/pre-signup")).handler as Handler;
  });
  if (!handler) throw new Error("handler not loaded");
  return handler;
}

beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  process.env = { ...saved };
});

describe("pre-signup in local mode", () => {
  it("answers every sample event with no AWS account, through the local stand-in", async () => {
    // Prepare
    const handler = await coldStart({});
    // Act
    const signUp = await handler(loadEvent("pre-signup-sign-up"));
    const admin = await handler(loadEvent("pre-signup-admin-create-user"));
    const federated = await handler(loadEvent("pre-signup-external-provider"));
    const unverified = await handler(loadEvent("pre-signup-external-provider-unverified"));
    // Assess
    const none = { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };
    expect(signUp.response).toEqual(none);
    expect(admin.response).toEqual(none);
    expect(federated.response).toEqual({ ...none, autoConfirmUser: true, autoVerifyEmail: true });
    expect(unverified.response).toEqual(none);
    // The stand-in answered (no credentials exist here: a real call would have failed).
    expect(output.text()).toContain("Local mode: Cognito ListUsers");
  });

  it("links against the users of PRE_SIGNUP_LOCAL_USERS_FILE and logs the call it stands for", async () => {
    const handler = await coldStart({ PRE_SIGNUP_LOCAL_USERS_FILE: USERS_FILE });
    await expect(handler(loadEvent("pre-signup-external-provider"))).rejects.toThrow(
      DEFAULT_LINKED_MESSAGE,
    );
    const logged = output
      .jsonLines()
      .find((l) => l.message?.toString().includes("AdminLinkProvider"));
    expect(logged?.localCall).toMatchObject({
      operation: "AdminLinkProviderForUser",
      input: {
        SourceUser: { ProviderName: "Google", ProviderAttributeValue: "109876543210987654321" },
      },
    });
  });

  it("calls the engine at AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when it is set", async () => {
    // Prepare: a stand-in engine on a free loopback port that answers ListUsers.
    const targets: string[] = [];
    const server = createServer((req, res) => {
      targets.push(String(req.headers["x-amz-target"]));
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ Users: [] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const handler = await coldStart({
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: `http://127.0.0.1:${port}`,
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
      });
      // Act
      const result = await handler(loadEvent("pre-signup-external-provider"));
      // Assess
      expect(result.response.autoConfirmUser).toBe(true);
      expect(targets[0]).toBe("AWSCognitoIdentityProviderService.ListUsers");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("bounds Cognito calls with the shared timeout and attempts (a hung engine fails, not hangs)", async () => {
    // Prepare: an engine that accepts requests and never answers.
    const hung: ServerResponse[] = [];
    const server = createServer((_req, res) => {
      hung.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const handler = await coldStart({
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: `http://127.0.0.1:${port}`,
        AWS_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
        AWS_CALL_TIMEOUT_MS: "200",
        AWS_MAX_ATTEMPTS: "2",
      });
      // Act / Assess: the generic message after exactly two attempts (a lower-case email is
      // searched with one ListUsers call).
      const event = loadEvent<PreSignUpTriggerEvent>("pre-signup-external-provider");
      event.request.userAttributes.email = "jane.doe@example.com";
      await expect(handler(event)).rejects.toThrow(GENERIC_ERROR_MESSAGE);
      expect(hung).toHaveLength(2);
    } finally {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 10_000);

  it("refuses a malformed users file at cold start, naming the variable", () => {
    expect(() => LocalUserDirectory.fromFile("/nonexistent/users.json")).toThrow(ConfigError);
    expect(() => LocalUserDirectory.fromFile(join(__dirname, "..", "..", "package.json"))).toThrow(
      /PRE_SIGNUP_LOCAL_USERS_FILE/,
    );
  });

  it("keeps its state across calls: create, then link once, then already linked", async () => {
    const directory = new LocalUserDirectory([]);
    const identity = { providerName: "Google", subject: "1" };
    const deadline = new Deadline(4000, 1500);
    expect(await directory.createNativeUser("pool", "A@B.com", deadline)).toBe("a@b.com");
    expect(await directory.createNativeUser("pool", "a@b.com", deadline)).toBeUndefined();
    expect(await directory.findUsersByEmail("pool", "A@b.COM", deadline)).toHaveLength(1);
    expect(await directory.linkProvider("pool", "a@b.com", identity, deadline)).toBe("linked");
    expect(await directory.linkProvider("pool", "a@b.com", identity, deadline)).toBe(
      "already-linked",
    );
    expect(directory.calls.map((c) => c.operation)).toEqual([
      "AdminCreateUser",
      "AdminCreateUser",
      "ListUsers",
      "ListUsers",
      "AdminLinkProviderForUser",
      "AdminLinkProviderForUser",
      "ListUsers",
    ]);
    deadline.dispose();
  });

  it("starts no call once the deadline has passed, like the real adapter", async () => {
    const directory = new LocalUserDirectory([]);
    const deadline = new Deadline(0, 1500);
    await expect(directory.findUsersByEmail("pool", "a@b.com", deadline)).rejects.toThrow(
      /not started/,
    );
    expect(directory.calls).toHaveLength(0);
  });
});

describe("LocalUserDirectory behaves like CognitoUserDirectory against Cognito", () => {
  // Mocked for this block only: the function modules other blocks load import the client on
  // their first federated event, from this test's module registry.
  const mockCognito = () => mockClient(CognitoIdentityProviderClient);
  let cognito: ReturnType<typeof mockCognito>;
  beforeAll(() => {
    cognito = mockCognito();
  });
  afterEach(() => cognito.reset());
  afterAll(() => cognito.restore());

  const seed = (): LocalUser[] => [
    {
      username: "u-mixed",
      email: "Jane.Doe@Example.com",
      emailVerified: true,
      identities: [{ providerName: "Okta", userId: "00uAbC123" }],
    },
    { username: "u-lower", email: "john@example.com", emailVerified: true },
  ];

  function both(): [string, UserDirectory][] {
    const users: FakeUser[] = seed().map((u) => ({
      username: u.username,
      email: u.email,
      emailVerified: u.emailVerified ?? false,
      status: "CONFIRMED",
      identities: [...(u.identities ?? [])],
    }));
    installFakeCognito(cognito, users);
    const client = new CognitoIdentityProviderClient({ region: "eu-west-1" });
    return [
      ["cognito", new CognitoUserDirectory(client)],
      ["local", new LocalUserDirectory(seed())],
    ];
  }

  const usernames = async (directory: UserDirectory, email: string, deadline: Deadline) =>
    (await directory.findUsersByEmail("pool", email, deadline)).map((u) => u.username).sort();

  it("matches emails exactly, per spelling searched (normalised, and as given)", async () => {
    const deadline = new Deadline(4000, 1500);
    for (const [name, directory] of both()) {
      // Prepare / Act / Assess, for each directory
      expect([name, await usernames(directory, "Jane.Doe@Example.com", deadline)]).toEqual([
        name,
        ["u-mixed"],
      ]);
      expect([name, await usernames(directory, "jane.doe@example.com", deadline)]).toEqual([
        name,
        [],
      ]);
      expect([name, await usernames(directory, "JOHN@example.com", deadline)]).toEqual([
        name,
        ["u-lower"],
      ]);
      expect([name, await usernames(directory, "JANE.DOE@EXAMPLE.COM", deadline)]).toEqual([
        name,
        [],
      ]);
    }
    expect(cognito.commandCalls(ListUsersCommand).map((c) => c.args[0].input.Filter)).toContain(
      'email = "Jane.Doe@Example.com"',
    );
    deadline.dispose();
  });

  it("compares linked subjects with exact case", async () => {
    const deadline = new Deadline(4000, 1500);
    const cases: [FederatedIdentity, string, string | typeof DependencyError][] = [
      [{ providerName: "Okta", subject: "00uAbC123" }, "u-mixed", "already-linked"],
      // Linked to another user: not "already linked" for this destination.
      [{ providerName: "Okta", subject: "00uAbC123" }, "u-lower", DependencyError],
    ];
    for (const [name, directory] of both()) {
      for (const [identity, destination, expected] of cases) {
        const result = directory.linkProvider("pool", destination, identity, deadline);
        if (typeof expected === "string") {
          await expect(result).resolves.toBe(expected);
        } else {
          await expect(result).rejects.toThrow(expected);
        }
      }
      // A different case of the subject is a different identity: it links.
      await expect(
        directory.linkProvider(
          "pool",
          "u-lower",
          { providerName: "Okta", subject: "00uabc123" },
          deadline,
        ),
      ).resolves.toBe("linked");
      expect(name).toBeDefined();
    }
    deadline.dispose();
  });
});
