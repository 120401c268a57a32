// The protocols by name. Each loads its code on first use, from a chunk beside the bundle: a page
// downloads only the protocol it speaks, and a bundler drops the ones never called.
import { UploadError } from '../errors.js';
import type { IetfOptions, TusOptions } from './options.js';
import type { Protocol } from './types.js';

/** A protocol whose code is imported when its first session opens (or at once when `eager`). */
function onDemand(name: string, load: () => Promise<Protocol>, eager = false): Protocol {
  let loaded: Promise<Protocol> | null = null;
  const get = () =>
    (loaded ??= load().catch((cause: unknown) => {
      // Most likely the network: the next attempt loads again.
      loaded = null;
      throw new UploadError('network', `Could not load ${name}`, { cause });
    }));
  if (eager) get().catch(() => undefined);
  return { name, open: async (init) => (await get()).open(init) };
}

/** The article's protocol, the default: `GET statusUrl`, `POST uploadUrl` (see status-upload.ts). */
export const statusUpload: Protocol = onDemand('status-upload', () =>
  import('./status-upload.js').then((m) => m.statusUploadProtocol),
);

/** tus 1.0: creation, creation-with-upload, termination, expiration, checksum (see tus.ts). */
export const tus = (options: TusOptions = {}, eager?: boolean): Protocol =>
  onDemand('tus', () => import('./tus.js').then((m) => m.tusProtocol(options)), eager);

/** IETF Resumable Uploads for HTTP (see ietf.ts). */
export const ietf = (options: IetfOptions = {}, eager?: boolean): Protocol =>
  onDemand('ietf', () => import('./ietf.js').then((m) => m.ietfProtocol(options)), eager);

export const PROTOCOL_NAMES = ['status-upload', 'tus', 'ietf'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

const named: Partial<Record<ProtocolName, Protocol>> = {};

/**
 * The protocol of an element's `protocol` attribute, with its defaults; one object per name. Its code
 * starts loading now, so the first upload does not wait for it.
 */
export const protocolNamed = (name: ProtocolName): Protocol =>
  (named[name] ??=
    name === 'tus'
      ? tus({}, true)
      : name === 'ietf'
        ? ietf({}, true)
        : onDemand(name, () => import('./status-upload.js').then((m) => m.statusUploadProtocol), true));
