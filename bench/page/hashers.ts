// A Worker for the integrity section's hasher comparison (bundled by esbuild in sections/integrity.ts):
// reads a File in pieces, as the integrity worker does, and feeds them to one SHA-256, timing the reads
// and the hashing apart. WebCrypto has no incremental form: it digests each piece on its own.
import { createSHA256 } from 'hash-wasm';
import { createSha256 } from '../../src/engine/integrity/sha256.js';

export type HasherKind = 'read only' | 'ours (JS)' | 'hash-wasm' | 'WebCrypto, per piece';
export interface HasherRequest {
  file: File;
  kind: HasherKind;
  piece: number;
}
export interface HasherResult {
  kind: HasherKind;
  bytes: number;
  readMs: number;
  hashMs: number;
  /** The file's SHA-256 (hex), or the last piece's for WebCrypto, '' for read only. */
  hex: string;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

async function hasher(kind: HasherKind) {
  if (kind === 'hash-wasm') {
    const wasm = await createSHA256();
    return { update: async (d: Uint8Array) => void wasm.update(d), digest: () => wasm.digest('binary') };
  }
  if (kind === 'ours (JS)') {
    const js = createSha256();
    return { update: async (d: Uint8Array) => js.update(d), digest: () => js.digest() };
  }
  let last = new Uint8Array(0);
  return {
    update: async (d: Uint8Array<ArrayBuffer>) => {
      if (kind !== 'read only') last = new Uint8Array(await crypto.subtle.digest('SHA-256', d));
    },
    digest: () => last,
  };
}

self.onmessage = async ({ data }: MessageEvent<HasherRequest>) => {
  const { file, kind, piece } = data;
  const h = await hasher(kind);
  let readMs = 0;
  let hashMs = 0;
  for (let at = 0; at < file.size; at += piece) {
    const t0 = performance.now();
    const bytes = new Uint8Array(await file.slice(at, at + piece).arrayBuffer());
    const t1 = performance.now();
    await h.update(bytes);
    readMs += t1 - t0;
    hashMs += performance.now() - t1;
  }
  const result: HasherResult = { kind, bytes: file.size, readMs, hashMs, hex: hex(h.digest()) };
  self.postMessage(result);
};
