/**
 * Settings every message-writing trigger shares, parsed once at cold start: the default
 * locale, the application name and the base URL of links. A bad value throws a ConfigError
 * naming the variable.
 */
import { type Env, optionalString, requireString } from "../config/env";
import { ConfigError } from "../errors";

/** The messaging settings. */
export interface MessagingConfig {
  /** MESSAGES_DEFAULT_LOCALE: the templates used when the user's `locale` has none (default `en`). */
  readonly defaultLocale: string;
  /**
   * MESSAGES_APP_NAME: the `{appName}` in every message (one line, at most 64 characters, no
   * braces). Required by the custom message and custom email sender triggers; for the
   * custom-auth code email only when its templates use `{appName}`.
   */
  readonly appName: string | undefined;
  /**
   * MESSAGES_LINK_BASE_URL: the base of `{link}` (`https://app.example.com/auth`); unset, a
   * template using `{link}` is refused at cold start. Links are never built from the event.
   */
  readonly linkBaseUrl: string | undefined;
}

/** Default of {@link MessagingConfig.defaultLocale}. */
export const DEFAULT_LOCALE = "en";

const LOCALE = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Parse and check a link base URL: https (http for localhost only), no query, fragment or credentials. */
export function parseLinkBaseUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${value}"`);
  }
  const local = url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !local) {
    throw new ConfigError(name, "must be an https URL (http only for localhost)");
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new ConfigError(name, "must have no query, fragment or credentials");
  }
  return url.href.replace(/\/+$/, "");
}

/** Parse the messaging settings from `env` (`requireAppName`: MESSAGES_APP_NAME must be set). */
export function loadMessagingConfig(
  env: Env = process.env,
  { requireAppName = true }: { readonly requireAppName?: boolean } = {},
): MessagingConfig {
  const defaultLocale = optionalString(env, "MESSAGES_DEFAULT_LOCALE", DEFAULT_LOCALE);
  if (!LOCALE.test(defaultLocale)) {
    throw new ConfigError(
      "MESSAGES_DEFAULT_LOCALE",
      `must be a locale folder name like en or pt-BR, got "${defaultLocale}"`,
    );
  }
  const appName = requireAppName
    ? requireString(env, "MESSAGES_APP_NAME")
    : optionalString(env, "MESSAGES_APP_NAME");
  if (appName !== undefined && (appName.length > 64 || /[\p{Cc}\u2028\u2029{}]/u.test(appName))) {
    throw new ConfigError(
      "MESSAGES_APP_NAME",
      "must be one line of at most 64 characters without braces",
    );
  }
  const link = optionalString(env, "MESSAGES_LINK_BASE_URL");
  return {
    defaultLocale,
    appName,
    linkBaseUrl: link === undefined ? undefined : parseLinkBaseUrl("MESSAGES_LINK_BASE_URL", link),
  };
}
