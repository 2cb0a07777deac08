/**
 * A stand-in for Cognito's CUSTOM_AUTH engine (cognito-local has none): it drives
 * the three trigger handlers exactly as Cognito does. The session array grows by
 * one challenge result per answer; `challengeMetadata` from create is carried in
 * the session; `privateChallengeParameters` go to verify only; the client sees
 * `publicChallengeParameters` only; a define response with `failAuthentication`
 * ends the sign-in with NotAuthorizedException.
 *
 * ClientMetadata as Cognito passes it: InitiateAuth's reaches none of the three triggers;
 * each RespondToAuthChallenge's reaches that call's verify, define and create (and only
 * those), so a flow that depends on what the client wants must learn it in a challenge round.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type {
  AuthFlow,
  CreateAuthConfig,
  DefineAuthConfig,
  VerifyAuthConfig,
} from "../../shared/custom-auth/config";
import {
  loadCreateAuthConfig,
  loadDefineAuthConfig,
  loadVerifyAuthConfig,
} from "../../shared/custom-auth/config";
import {
  createDefineAuthChallengeHandler,
  createIssueAuthChallengeHandler,
  createVerifyAuthChallengeHandler,
} from "../../shared/custom-auth/handlers";
import type { LinkSigner, PublicKeySource } from "../../shared/custom-auth/magic-link/link-signer";
import type { LiveLinkStore } from "../../shared/custom-auth/magic-link/live-link-store";
import type { SessionEntry } from "../../shared/custom-auth/session";
import type { AttemptStore } from "../../shared/lockout/attempt-store";
import { createLogger } from "../../shared/logger";
import type { EmailSender, OutgoingEmail } from "../../shared/messaging/sender";

/** A sender that keeps every message in memory (the test's mailbox). */
export class MemorySender implements EmailSender {
  readonly sent: OutgoingEmail[] = [];
  /** Every message handed to `send`, delivered or not. */
  readonly attempted: OutgoingEmail[] = [];
  /** When set, `send` rejects with it (the message is not delivered). */
  failWith: Error | undefined;

  async send(message: OutgoingEmail): Promise<void> {
    this.attempted.push(message);
    if (this.failWith) throw this.failWith;
    this.sent.push(message);
  }

  /** The magic link in the last email (its text part's `<base>#<token>` URL). */
  lastLink(): string {
    const body = this.sent.at(-1)?.text ?? "";
    const match = /https?:\/\/\S+#[A-Za-z0-9_.-]+/.exec(body);
    if (!match) throw new Error("no link in the mailbox");
    return match[0];
  }

  /** The code in the last email (the first run of digits in its body). */
  lastCode(): string {
    const body = this.sent.at(-1)?.text ?? "";
    const match = /\d{4,10}/.exec(body);
    if (!match) throw new Error("no code in the mailbox");
    return match[0];
  }
}

/** A settable clock in epoch ms. */
export class TestClock {
  constructor(public ms = Date.UTC(2026, 10, 22, 12, 0, 0)) {}
  readonly now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** One user of the simulated pool. */
export interface SimUser {
  readonly attributes: Record<string, string>;
  readonly password: string;
  /**
   * The pool's username, sent as `event.userName`. Default: the `sub`, as in pools with
   * `UsernameAttributes: [email]` (the user types the email, Cognito sends the generated name).
   */
  readonly userName?: string;
}

/** What the client app sees after each call. */
export type Outcome =
  | { readonly kind: "tokens" }
  | {
      readonly kind: "challenge";
      readonly challengeName: string;
      readonly parameters: Record<string, string>;
    }
  | { readonly kind: "failed"; readonly error: "NotAuthorizedException" }
  | { readonly kind: "error"; readonly message: string };

/** Options for building the three handlers from env-style settings. */
export interface HarnessOptions {
  /**
   * Flows the harness opts its app client into (its id in the matching client-id lists).
   * Default: both. `[]` leaves the client unlisted, so the deployment default applies.
   * Flow variables in `env` win over this.
   */
  readonly clientFlows?: readonly AuthFlow[];
  readonly env?: Record<string, string>;
  readonly users?: Record<string, SimUser>;
  readonly clientId?: string;
  readonly sender?: MemorySender;
  readonly clock?: TestClock;
  readonly logger?: Logger;
  /** Digit source for codes (default `crypto.randomInt`). */
  readonly randomInt?: (max: number) => number;
  /**
   * The failure counters create and verify share (the cross-sign-in lockout); needed when
   * `env` sets CUSTOM_AUTH_ATTEMPTS_TABLE_NAME, as in a deployment.
   */
  readonly attempts?: AttemptStore;
  /**
   * Magic links' signer, public key and live-links store (create and verify); needed when
   * `env` sets CUSTOM_AUTH_MAGIC_LINK_TABLE_NAME.
   */
  readonly links?: {
    readonly signer: LinkSigner;
    readonly publicKey: PublicKeySource;
    readonly store: LiveLinkStore;
  };
}

export const POOL_ID = "eu-west-1_TESTPOOL";
export const CLIENT_ID = "testclient0123456789abcdef";

/** A confirmed user with a verified email. */
export const JANE: SimUser = {
  attributes: {
    sub: "11111111-2222-3333-4444-555555555555",
    "cognito:user_status": "CONFIRMED",
    email: "jane.doe@example.com",
    email_verified: "true",
  },
  password: "correct horse battery staple",
};

/** The handlers plus a simulated pool; `signIn` starts one sign-in. */
export class CustomAuthHarness {
  readonly sender: MemorySender;
  readonly clock: TestClock;
  readonly users: Record<string, SimUser>;
  readonly clientId: string;
  readonly defineConfig: DefineAuthConfig;
  readonly createConfig: CreateAuthConfig;
  readonly verifyConfig: VerifyAuthConfig;
  readonly define;
  readonly create;
  readonly verify;
  /** Sleeps requested by the pretend path (never really slept in tests). */
  readonly sleeps: number[] = [];

  constructor(options: HarnessOptions = {}) {
    this.clientId = options.clientId ?? CLIENT_ID;
    const clientFlows = options.clientFlows ?? ["passwordless", "password-code"];
    const env = {
      LOCAL_MODE: "false",
      CUSTOM_AUTH_FROM_ADDRESS: "no-reply@example.com",
      CUSTOM_AUTH_PASSWORDLESS_CLIENT_IDS: clientFlows.includes("passwordless")
        ? this.clientId
        : "",
      CUSTOM_AUTH_PASSWORD_CODE_CLIENT_IDS: clientFlows.includes("password-code")
        ? this.clientId
        : "",
      CUSTOM_AUTH_MAGIC_LINK_CLIENT_IDS: clientFlows.includes("magic-link") ? this.clientId : "",
      ...options.env,
    };
    this.sender = options.sender ?? new MemorySender();
    this.clock = options.clock ?? new TestClock();
    this.users = options.users ?? { "jane.doe@example.com": JANE };
    const logger = options.logger ?? createLogger("customAuthTest");
    this.defineConfig = loadDefineAuthConfig(env);
    this.createConfig = loadCreateAuthConfig(env);
    this.verifyConfig = loadVerifyAuthConfig(env);
    this.define = createDefineAuthChallengeHandler({ config: this.defineConfig, logger });
    const attempts = options.attempts ? { attempts: options.attempts } : {};
    this.create = createIssueAuthChallengeHandler({
      config: this.createConfig,
      logger,
      sender: this.sender,
      ...attempts,
      ...(options.links
        ? { links: { signer: options.links.signer, store: options.links.store } }
        : {}),
      now: this.clock.now,
      ...(options.randomInt ? { randomInt: options.randomInt } : {}),
      sleep: async (ms) => {
        this.sleeps.push(ms);
      },
    });
    this.verify = createVerifyAuthChallengeHandler({
      config: this.verifyConfig,
      logger,
      now: this.clock.now,
      ...attempts,
      ...(options.links
        ? { links: { publicKey: options.links.publicKey, store: options.links.store } }
        : {}),
    });
  }

  /**
   * Start a sign-in: `InitiateAuth` with `CUSTOM_AUTH` (and `SRP_A` when `srp`).
   * `clientMetadata` is what the client sends with every `RespondToAuthChallenge` of this
   * sign-in (unless one answer gives its own); `initiateClientMetadata` is what it sends with
   * `InitiateAuth`, which, as in Cognito, reaches no custom-auth trigger.
   */
  async signIn(
    username: string,
    options: {
      srp?: boolean;
      clientMetadata?: Record<string, string>;
      initiateClientMetadata?: Record<string, string>;
    } = {},
  ): Promise<SignIn> {
    const signIn = new SignIn(this, username, options.clientMetadata);
    await signIn.start(options.srp ?? false);
    return signIn;
  }

  /** The user a client's USERNAME names: by the key it was typed as, or its pool username. */
  findUser(username: string): SimUser | undefined {
    return (
      this.users[username] ??
      Object.values(this.users).find((u) => (u.userName ?? u.attributes.sub) === username)
    );
  }
}

function base(harness: CustomAuthHarness, userName: string, triggerSource: string) {
  return {
    version: "1",
    region: "eu-west-1",
    userPoolId: POOL_ID,
    userName,
    callerContext: { awsSdkVersion: "aws-sdk-js-3.0.0", clientId: harness.clientId },
    triggerSource,
  };
}

/** One sign-in, as Cognito keeps it between `InitiateAuth` and `RespondToAuthChallenge` calls. */
export class SignIn {
  /** The session Cognito passes to the triggers (grows with each challenge result). */
  readonly session: SessionEntry[] = [];
  outcome: Outcome = { kind: "error", message: "not started" };
  /** Every define-auth call's session length (to check the limit). */
  readonly defineSessionLengths: number[] = [];
  private privateParameters: Record<string, string> = {};
  private challengeMetadata: string | undefined;
  /** The ClientMetadata of the API call in progress (none for InitiateAuth). */
  private callMetadata: Record<string, string> | undefined;
  /** Every ClientMetadata the triggers received, by trigger (to check the model). */
  readonly metadataSeen: { trigger: string; clientMetadata: unknown }[] = [];

  constructor(
    private readonly harness: CustomAuthHarness,
    private readonly username: string,
    private readonly clientMetadata: Record<string, string> | undefined,
  ) {}

  private get user(): SimUser | undefined {
    return this.harness.findUser(this.username);
  }

  private userRequest(trigger: string) {
    const user = this.user;
    this.metadataSeen.push({ trigger, clientMetadata: this.callMetadata });
    return {
      userAttributes: user ? { ...user.attributes } : {},
      userNotFound: user === undefined,
      ...(this.callMetadata ? { clientMetadata: { ...this.callMetadata } } : {}),
    };
  }

  /** `event.userName`: the pool's username for a real user, what was typed for an unknown one. */
  private get userName(): string {
    const user = this.user;
    return user ? (user.userName ?? user.attributes.sub ?? this.username) : this.username;
  }

  /** InitiateAuth. */
  async start(srp: boolean): Promise<Outcome> {
    if (srp) this.session.push({ challengeName: "SRP_A", challengeResult: true });
    // InitiateAuth's ClientMetadata reaches no custom-auth trigger (Cognito documents this):
    // neither this define call nor the create call it may lead to.
    this.callMetadata = undefined;
    return this.runDefine();
  }

  /**
   * RespondToAuthChallenge with `ANSWER` for CUSTOM_CHALLENGE; `clientMetadata` (else the
   * sign-in's) goes to this call's verify, define and create.
   */
  async answer(
    answer: string,
    options: { clientMetadata?: Record<string, string> } = {},
  ): Promise<Outcome> {
    this.expectChallenge("CUSTOM_CHALLENGE");
    this.callMetadata = options.clientMetadata ?? this.clientMetadata;
    let correct: boolean;
    try {
      const event = await this.harness.verify({
        ...base(this.harness, this.userName, "VerifyAuthChallengeResponse_Authentication"),
        request: {
          ...this.userRequest("verify"),
          privateChallengeParameters: { ...this.privateParameters },
          challengeAnswer: answer,
        },
        response: { answerCorrect: false },
      } as never);
      correct = event.response.answerCorrect === true;
    } catch (error) {
      this.outcome = { kind: "error", message: (error as Error).message };
      return this.outcome;
    }
    this.session.push({
      challengeName: "CUSTOM_CHALLENGE",
      challengeResult: correct,
      challengeMetadata: this.challengeMetadata,
    });
    return this.runDefine();
  }

  /** RespondToAuthChallenge for PASSWORD_VERIFIER (Cognito checks the SRP proof itself). */
  async password(password: string): Promise<Outcome> {
    this.expectChallenge("PASSWORD_VERIFIER");
    const correct = this.user !== undefined && this.user.password === password;
    this.session.push({ challengeName: "PASSWORD_VERIFIER", challengeResult: correct });
    this.callMetadata = this.clientMetadata;
    return this.runDefine();
  }

  private expectChallenge(name: string): void {
    if (this.outcome.kind !== "challenge" || this.outcome.challengeName !== name) {
      throw new Error(`Invalid session: expected challenge ${name}, have ${this.outcome.kind}`);
    }
  }

  private async runDefine(): Promise<Outcome> {
    this.defineSessionLengths.push(this.session.length);
    try {
      const defined = await this.harness.define({
        ...base(this.harness, this.userName, "DefineAuthChallenge_Authentication"),
        request: {
          ...this.userRequest("define"),
          session: this.session.map((entry) => ({ ...entry })),
        },
        response: {},
      } as never);
      const { issueTokens, failAuthentication, challengeName } = defined.response;
      if (failAuthentication) this.outcome = { kind: "failed", error: "NotAuthorizedException" };
      else if (issueTokens) this.outcome = { kind: "tokens" };
      else if (challengeName === "PASSWORD_VERIFIER") {
        this.outcome = { kind: "challenge", challengeName, parameters: {} };
      } else if (challengeName === "CUSTOM_CHALLENGE") {
        const created = await this.harness.create({
          ...base(this.harness, this.userName, "CreateAuthChallenge_Authentication"),
          request: {
            ...this.userRequest("create"),
            challengeName,
            session: this.session.map((entry) => ({ ...entry })),
          },
          response: {},
        } as never);
        this.privateParameters = { ...created.response.privateChallengeParameters };
        this.challengeMetadata = created.response.challengeMetadata;
        this.outcome = {
          kind: "challenge",
          challengeName,
          parameters: { ...created.response.publicChallengeParameters },
        };
      } else {
        this.outcome = { kind: "error", message: `unsupported challenge ${String(challengeName)}` };
      }
    } catch (error) {
      this.outcome = { kind: "error", message: (error as Error).message };
    }
    return this.outcome;
  }
}
