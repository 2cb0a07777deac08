/**
 * Which locale's templates a user gets: their `locale` attribute (`fr-CA`, `fr_ca`, `FR`),
 * exact match first, then its language, then the configured default.
 */

/** `fr_ca` / `FR-ca` -> `fr-CA`; undefined when the value is not a language tag we can use. */
export function normaliseLocale(value: string | undefined): string | undefined {
  const match = /^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}))?(?:[-_].*)?$/.exec(value?.trim() ?? "");
  if (match === null) return undefined;
  const language = (match[1] ?? "").toLowerCase();
  return match[2] === undefined ? language : `${language}-${match[2].toUpperCase()}`;
}

/**
 * The locale to render in: `attribute` normalised if `has` it, else its language, else
 * `fallback`. `has` answers for a locale (and, for the caller, the message it needs).
 */
export function chooseLocale(
  attribute: string | undefined,
  has: (locale: string) => boolean,
  fallback: string,
): string {
  const wanted = normaliseLocale(attribute);
  if (wanted === undefined) return fallback;
  if (has(wanted)) return wanted;
  const language = wanted.split("-")[0] ?? wanted;
  return has(language) ? language : fallback;
}
