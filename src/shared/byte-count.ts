// Shared by the engine and the server: it runs in browsers and in Node, so it uses neither's APIs.

const MAX_DIGITS = String(Number.MAX_SAFE_INTEGER).length;

/**
 * Parses a byte count the strict way, as every protocol here writes one (`Upload-Offset`, `X-File-Size`,
 * a status body): ASCII digits only, at most 2^53 - 1. Signs, spaces, fractions, exponents, hex and an
 * empty or missing value all give undefined.
 */
export function parseByteCount(value: string | null | undefined): number | undefined {
  if (!value || value.length > MAX_DIGITS || !/^[0-9]+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}
