/**
 * The custom message trigger's configuration and templates, loaded once at cold start: a
 * bad variable or template file fails the first invocation, naming it.
 */
import type { Env } from "../config/env";
import { loadMessagingConfig, type MessagingConfig } from "../messaging/config";
import { loadMessageCatalog } from "../messaging/messages";
import type { Catalog } from "../messaging/templates";
import { CUSTOM_MESSAGE_KINDS } from "./sources";

/** What the custom message trigger runs on. */
export interface CustomMessageConfig {
  readonly messaging: MessagingConfig;
  /** Every custom message kind with its email and SMS parts, checked. */
  readonly catalog: Catalog;
}

/** Parse the settings and check the templates (with `files` instead of the repository's in tests). */
export function loadCustomMessageConfig(
  env: Env = process.env,
  files?: Readonly<Record<string, string>>,
): CustomMessageConfig {
  const messaging = loadMessagingConfig(env);
  const catalog = loadMessageCatalog(messaging, Object.values(CUSTOM_MESSAGE_KINDS), true, files);
  return { messaging, catalog };
}
