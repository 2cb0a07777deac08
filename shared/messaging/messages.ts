/**
 * The one entry point the message-writing triggers use: the repository's templates checked
 * at cold start into a catalog, and {@link writeMessage} choosing the locale and rendering.
 */
import type { MessagingConfig } from "./config";
import { chooseLocale } from "./locale";
import { TEMPLATE_FILES } from "./template-files.generated";
import {
  type Catalog,
  loadCatalog,
  type MessageInput,
  type MessageKind,
  type RenderedMessage,
  renderMessage,
} from "./templates";

/**
 * The catalog of the repository's templates for a trigger writing `kinds` (with SMS when
 * `sms`). Throws a ConfigError naming the bad template file or variable.
 */
export function loadMessageCatalog(
  config: MessagingConfig,
  kinds: readonly MessageKind[],
  sms: boolean,
  files: Readonly<Record<string, string>> = TEMPLATE_FILES,
): Catalog {
  return loadCatalog(files, {
    defaultLocale: config.defaultLocale,
    kinds,
    sms,
    appName: config.appName,
    linkBaseUrl: config.linkBaseUrl,
    linkVariable: "MESSAGES_LINK_BASE_URL",
    localeVariable: "MESSAGES_DEFAULT_LOCALE",
  });
}

/** A message rendered in the user's locale (their `locale` attribute, else the default). */
export function writeMessage(
  catalog: Catalog,
  kind: MessageKind,
  input: MessageInput,
): RenderedMessage & { readonly locale: string } {
  const { defaultLocale } = catalog.options;
  const locale = chooseLocale(
    input.attributes.locale,
    (candidate) => catalog.get(candidate, kind) !== undefined,
    defaultLocale,
  );
  // The default locale has every message of the catalog's kinds (checked at cold start).
  const template = catalog.get(locale, kind);
  if (template === undefined) throw new Error(`no template for ${kind}`);
  return { ...renderMessage(template, kind, input, catalog.options), locale };
}
