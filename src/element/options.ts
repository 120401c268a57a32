import { defaultOptions, type HeadersOption, type UploaderOptions } from '../engine/options.js';
import { PROTOCOL_NAMES, protocolNamed, type ProtocolName } from '../engine/protocols/index.js';

/** What the element's attributes and properties hold, before they are checked. */
export interface ElementOptions {
  protocol: ProtocolName;
  endpoint: string;
  metadata: Record<string, string>;
  statusUrl: string;
  uploadUrl: string;
  chunkSize: number;
  concurrency: number;
  retryDelays: number[];
  stallTimeout: number;
  maxFileSize: number;
  maxFiles: number;
  headers: HeadersOption;
  withCredentials: boolean;
  integrity: boolean;
  fileId: (file: File) => string;
  manual: boolean;
  persist: boolean | number | string;
}

/**
 * The element's properties before a page sets them: the engine's defaults in the element's terms, and the
 * element's own. A fresh object each call, as arrays and objects must not be shared between elements.
 */
export function elementDefaults() {
  const d = defaultOptions();
  return {
    protocol: PROTOCOL_NAMES[0],
    endpoint: d.endpoint,
    metadata: d.metadata,
    statusUrl: d.statusUrl,
    uploadUrl: d.uploadUrl,
    chunkSize: d.chunkSize,
    concurrency: d.concurrency,
    retryDelays: d.retryDelays,
    stallTimeout: d.stallTimeout,
    accept: '',
    multiple: false,
    maxFileSize: Infinity,
    maxFiles: Infinity,
    manual: !d.autoStart,
    disabled: false,
    withCredentials: d.withCredentials,
    integrity: d.integrity,
    name: '',
    required: false,
    headers: d.headers,
    fileId: d.fileId,
    persist: d.persist,
    i18n: {},
  } satisfies ElementOptions & Record<string, unknown>;
}

/** The element's public properties, each with its default: what templates and frameworks may set. */
export type ElementProperty = keyof ReturnType<typeof elementDefaults>;

/** Called for a bad value, with the attribute's name, the form it accepts, the value and the default used. */
export type Warn = (attribute: string, form: string, value: string, fallback: string) => void;

/** A Warn that tells each of `el`'s attributes' bad values once, with the value as the attribute holds it. */
export function warnOnce(el: Element): Warn {
  const warned = new Map<string, string>();
  return (attribute, form, value, fallback) => {
    const shown = el.getAttribute(attribute) ?? value;
    if (warned.get(attribute) === shown) return;
    warned.set(attribute, shown);
    console.warn(
      `<${el.localName}>: ${attribute}="${shown}" is not valid; use ${form}. Using the default, ${fallback}.`,
    );
  };
}

type Numeric = 'chunkSize' | 'concurrency' | 'stallTimeout' | 'maxFileSize' | 'maxFiles';

/** Numeric attributes: the smallest whole number taken, whether Infinity is, and the form a warning names. */
const NUMERIC: Record<Numeric, [attribute: string, min: number, infinite: boolean, form: string]> = {
  chunkSize: ['chunk-size', 0, false, 'a whole number of bytes (0 sends each file in one request)'],
  concurrency: ['concurrency', 1, false, 'a whole number of at least 1'],
  stallTimeout: ['stall-timeout', 0, false, 'a whole number of milliseconds (0 turns it off)'],
  maxFileSize: ['max-file-size', 0, true, 'a whole number of bytes'],
  maxFiles: ['max-files', 1, true, 'a whole number of at least 1'],
};

const WHOLE = /^\s*\d+\s*$/;

/** Strict whole numbers, so `chunk-size="1e3"` or `"10MB"` warn instead of meaning something surprising. */
export const wholeNumber = {
  fromAttribute: (v: string | null) => (v !== null && WHOLE.test(v) ? Number(v) : NaN),
};

/** `persist`'s words: "false", "off" and "0" (the engine's 0) turn it off; "" and "true" turn it on. */
const PERSIST_WORDS = /^\s*(?:(false|off|0)|true|)\s*$/i;

/** `persist` as the engine takes it: a word above as `false` or `true`; anything else is a size such as
 * "2GB", read (and warned about) by the engine's persist code. */
export function persistOption(value: boolean | number | string): boolean | number | string {
  const word = PERSIST_WORDS.exec(String(value));
  return word ? !word[1] : value;
}

/** `persist`, `persist="2GB"`, `persist="false"`: read as `persistOption` does; absent: off. */
export const persistSize = {
  fromAttribute: (v: string | null) => (v === null ? false : persistOption(v)),
  toAttribute: (v: unknown) => (v === false ? null : v === true ? '' : String(v)),
};

/** `retry-delays="0,1000,3000"`; an empty value means no retries. */
export const delayList = {
  fromAttribute: (v: string | null) =>
    v === null || !v.trim() ? [] : v.split(',').map((s) => (WHOLE.test(s) ? Number(s) : NaN)),
  toAttribute: (v: unknown) => String(v),
};

/** The engine's options and the element's limits, with each bad value replaced by its default. */
export function checkOptions(
  el: ElementOptions,
  warn: Warn,
): { options: Partial<UploaderOptions>; maxFileSize: number; maxFiles: number } {
  const defaults = defaultOptions();
  const checked = (key: Numeric, fallback: number): number => {
    const [attribute, min, infinite, form] = NUMERIC[key];
    const value = el[key];
    if ((Number.isInteger(value) && value >= min) || (infinite && value === Infinity)) return value;
    warn(attribute, form, String(value), String(fallback));
    return fallback;
  };
  let retryDelays = el.retryDelays;
  if (!Array.isArray(retryDelays) || !retryDelays.every((d) => Number.isInteger(d) && d >= 0)) {
    warn(
      'retry-delays',
      'comma-separated whole milliseconds, e.g. "0,1000,3000"',
      String(retryDelays),
      String(defaults.retryDelays),
    );
    retryDelays = defaults.retryDelays;
  }
  let protocol = el.protocol;
  if (!PROTOCOL_NAMES.includes(protocol)) {
    warn('protocol', `one of ${PROTOCOL_NAMES.join(', ')}`, String(protocol), PROTOCOL_NAMES[0]);
    protocol = PROTOCOL_NAMES[0];
  }
  return {
    options: {
      protocol: protocolNamed(protocol),
      endpoint: el.endpoint,
      metadata: el.metadata,
      statusUrl: el.statusUrl,
      uploadUrl: el.uploadUrl,
      chunkSize: checked('chunkSize', defaults.chunkSize),
      concurrency: checked('concurrency', defaults.concurrency),
      retryDelays,
      stallTimeout: checked('stallTimeout', defaults.stallTimeout),
      headers: el.headers,
      withCredentials: el.withCredentials,
      integrity: el.integrity,
      fileId: el.fileId,
      autoStart: !el.manual,
      persist: persistOption(el.persist),
    },
    maxFileSize: checked('maxFileSize', Infinity),
    maxFiles: checked('maxFiles', Infinity),
  };
}
