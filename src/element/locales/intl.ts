import { registerLocale, type ResumableUploadI18n } from '../i18n.js';

/** What every locale module shares: numbers, units, percentages and plural forms come from `Intl`. */

export type TimeUnit = 'second' | 'minute' | 'hour';

/** A phrase per plural category (`Intl.PluralRules`); `#` stands for the number, formatted for the locale. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** `Intl.NumberFormat` for `tag`, made once per set of options. */
function numberFormat(tag: string, options?: Intl.NumberFormatOptions): (n: number) => string {
  let format: Intl.NumberFormat | undefined;
  return (n) => (format ??= new Intl.NumberFormat(tag, options)).format(n);
}

/** "2 Minuten", "3 Sek.": a number with its unit, the unit's plural chosen by Intl. */
export const unit = (tag: string, name: TimeUnit, display: 'long' | 'short' = 'long') =>
  numberFormat(tag, { style: 'unit', unit: name, unitDisplay: display });

/** The phrase for `n`'s plural category, as written. */
function pick(tag: string, forms: PluralForms): (n: number) => string {
  let rules: Intl.PluralRules | undefined;
  return (n) => forms[(rules ??= new Intl.PluralRules(tag)).select(n)] ?? forms.other;
}

/** Picks the phrase for `n`'s plural category, and puts the formatted number in it. */
export function plural(tag: string, forms: PluralForms): (n: number) => string {
  const phrase = pick(tag, forms);
  const format = numberFormat(tag);
  return (n) => phrase(n).replace('#', format(n));
}

/** "25 %", "%25", "25%": 0 to 100 as the locale writes a percentage. */
export const percent = (tag: string) => {
  const format = numberFormat(tag, { style: 'percent' });
  return (n: number) => format(n / 100);
};

const SIZE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'];

/** Decimal units as English's formatSize rounds them (one decimal below 10), in the locale's words. */
export function sizes(tag: string): (bytes: number) => string {
  const formats = SIZE_UNITS.map((name) =>
    [0, 1].map((digits) =>
      numberFormat(tag, { style: 'unit', unit: name, unitDisplay: 'short', maximumFractionDigits: digits }),
    ),
  );
  return (bytes) => {
    let n = bytes;
    let step = 0;
    while (n >= 999.5 && step < SIZE_UNITS.length - 1) {
      n /= 1000;
      step++;
    }
    return formats[step][step && n < 9.95 ? 1 : 0](n);
  };
}

/**
 * English's formatTimeLeft steps in other words: `few` under 5 s, else `left` with the rounded
 * seconds, minutes or hours; '' when the time is unknown.
 */
export function timeLeft(few: string, left: Record<TimeUnit, (n: number) => string>): (s: number) => string {
  return (seconds) => {
    if (!Number.isFinite(seconds) || seconds < 0) return '';
    if (seconds < 5) return few;
    if (seconds < 60) return left.second(Math.round(seconds));
    if (seconds < 3600) return left.minute(Math.round(seconds / 60));
    return left.hour(Math.round(seconds / 3600));
  };
}

/** `left` for languages whose phrase wraps Intl's "2 minutes" unchanged: `phrase` has `#` for it. */
export function unitsIn(tag: string, phrase: PluralForms | string): Record<TimeUnit, (n: number) => string> {
  const wrap = typeof phrase === 'string' ? () => phrase : pick(tag, phrase);
  const each = (name: TimeUnit) => {
    const format = unit(tag, name);
    return (n: number) => wrap(n).replace('#', format(n));
  };
  return { second: each('second'), minute: each('minute'), hour: each('hour') };
}

/** Registers a locale under its tag and hands it back, for `el.i18n = de` or for merging. */
export function defineLocale(tag: string, strings: ResumableUploadI18n): ResumableUploadI18n {
  registerLocale(tag, strings);
  return strings;
}
