import { registry } from '../i18n.js';

/** A language we don't ship: `registerLocale('sv', { ...strings })`, every field of ResumableUploadI18n. */
export { registerLocale } from '../i18n.js';

/** Every shipped locale, each its own module, fetched only when asked for. */
const loaders: Record<string, () => Promise<unknown>> = {
  ar: () => import('./ar.js'),
  de: () => import('./de.js'),
  es: () => import('./es.js'),
  fr: () => import('./fr.js'),
  he: () => import('./he.js'),
  it: () => import('./it.js'),
  ja: () => import('./ja.js'),
  ko: () => import('./ko.js'),
  nl: () => import('./nl.js'),
  pl: () => import('./pl.js'),
  pt: () => import('./pt.js'),
  ru: () => import('./ru.js'),
  tr: () => import('./tr.js'),
  uk: () => import('./uk.js'),
  zh: () => import('./zh.js'),
};

/** The language tags shipped, e.g. `de`; a regional tag such as `pt-BR` uses its base language's. */
export const locales: readonly string[] = Object.keys(loaders);

/** The loader for a tag or its base language, or undefined when none is shipped. */
function loaderFor(lang: string): (() => Promise<unknown>) | undefined {
  const tag = lang.toLowerCase();
  const base = tag.split('-')[0];
  return Object.hasOwn(loaders, tag)
    ? loaders[tag]
    : Object.hasOwn(loaders, base)
      ? loaders[base]
      : undefined;
}

/**
 * Loads and registers the locale for `lang` (or its base language); resolves false, with a console
 * warning, for a language not shipped or a module that failed to load.
 */
export async function loadLocale(lang: string): Promise<boolean> {
  const load = loaderFor(lang);
  if (!load) {
    console.warn(`resumable-upload: no locale for "${lang}"; shipped: ${locales.join(', ')}. Using English.`);
    return false;
  }
  try {
    await load();
    return true;
  } catch (e) {
    console.warn(`resumable-upload: the locale for "${lang}" failed to load (${String(e)}). Using English.`);
    return false;
  }
}

// Importing this module is opting in: from now on an element whose `lang` has no locale yet loads it,
// and a `lang` we don't ship stays English without a warning (the page may speak any language).
registry.load = (lang) => {
  if (loaderFor(lang)) void loadLocale(lang);
};
