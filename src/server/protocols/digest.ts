// RFC 9530 digests on the wire, for every protocol: `Content-Digest` checks one request's body,
// `Repr-Digest` (with the request that ends the upload) the whole stored file. The server asks for both
// with `Want-*-Digest`, so a client sends them only to a server that checks them.
import { CONTENT_DIGEST, REPR_DIGEST, WANT_CONTENT_DIGEST, WANT_REPR_DIGEST } from '../../shared/headers.js';
import type { ExpectedDigest } from '../stores/types.js';
import type { ProtocolRequest } from './types.js';

/** Sent with the answers a client learns from: which digests this server checks. */
export const WANT_DIGESTS: Readonly<Record<string, string>> = {
  [WANT_CONTENT_DIGEST]: 'sha-256=10',
  [WANT_REPR_DIGEST]: 'sha-256=10',
};

/** What CORS must let a page send and read for digests. */
export const DIGEST_REQUEST_HEADERS = [CONTENT_DIGEST, REPR_DIGEST] as const;
export const DIGEST_RESPONSE_HEADERS = [WANT_CONTENT_DIGEST, WANT_REPR_DIGEST, REPR_DIGEST] as const;

/** A digest field's sha-256 (or sha-512) member; undefined when absent or only unknown algorithms. */
function digestField(req: ProtocolRequest, name: string): ExpectedDigest | undefined {
  const header = req.header(name);
  if (header === undefined) return undefined;
  for (const member of header.split(',')) {
    const m = /^\s*(sha-256|sha-512)=:([A-Za-z0-9+/]*={0,2}):\s*$/.exec(member);
    if (m) return { algorithm: m[1].replace('-', ''), value: Buffer.from(m[2], 'base64') };
  }
  return undefined; // nothing we can check
}

/** `Content-Digest: sha-256=:base64:`: a body that does not match is not kept. */
export const contentDigest = (req: ProtocolRequest): ExpectedDigest | undefined =>
  digestField(req, CONTENT_DIGEST);

/** `Repr-Digest: sha-256=:base64:`: the whole file must have it before the upload completes. */
export const reprDigest = (req: ProtocolRequest): ExpectedDigest | undefined => digestField(req, REPR_DIGEST);

/** The completing answer names the SHA-256 (hex) the stored file was checked against. */
export const agreedDigest = (sha256: string | undefined): Record<string, string> =>
  sha256 ? { [REPR_DIGEST]: `sha-256=:${Buffer.from(sha256, 'hex').toString('base64')}:` } : {};
