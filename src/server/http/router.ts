import type { ResolvedOptions } from '../options.js';
import { createIetfProtocol } from '../protocols/ietf.js';
import { statusUpload } from '../protocols/status-upload.js';
import { createTusProtocol } from '../protocols/tus.js';
import type { ProtocolReply, ProtocolRequest, WireProtocol } from '../protocols/types.js';
import { UploadService } from '../service.js';
import { MemoryLocker } from '../locks/memory.js';
import { LockUnavailableError } from '../locks/types.js';

/** Answers one request: a reply, null when the client is gone, undefined when no protocol claims it. */
export type Route = (req: ProtocolRequest) => Promise<ProtocolReply | null | undefined>;

/** The service, and one function that runs every enabled protocol and adds CORS: shared by node:http and Fetch. */
export function createRouter(config: ResolvedOptions): { service: UploadService; route: Route } {
  const service = new UploadService(config, config.store, config.locker ?? new MemoryLocker());
  // IETF first: tus answers whatever else comes to the files endpoint (412 without Tus-Resumable).
  const protocols: WireProtocol[] = [];
  if (config.protocols.includes('ietf')) protocols.push(createIetfProtocol(config.filesPath));
  if (config.protocols.includes('tus')) protocols.push(createTusProtocol(config.filesPath));
  if (config.protocols.includes('status-upload')) protocols.push(statusUpload);
  const cors = corsHeaders(config.corsOrigin, protocols);

  const route: Route = async (req) => {
    for (const protocol of protocols) {
      let reply: ProtocolReply | null | undefined;
      try {
        reply = await protocol.handle(req, service);
      } catch (err) {
        reply = failed(protocol, req, err);
      }
      if (reply === undefined) continue;
      if (reply === null) return null;
      const preflight =
        req.method === 'OPTIONS' && config.corsOrigin
          ? {
              'Access-Control-Allow-Methods': [...protocol.cors.methods, 'OPTIONS'].join(', '),
              ...cors.preflight,
            }
          : {};
      return { ...reply, headers: { ...cors.always, ...preflight, ...reply.headers } };
    }
    return undefined;
  };
  return { service, route };
}

/**
 * A failure no protocol module answered: a full disk is the server's 507, an unreachable lock service
 * (or a lost lease) a 503 to retry, anything else a logged 500.
 */
function failed(protocol: WireProtocol, req: ProtocolRequest, err: unknown): ProtocolReply {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return protocol.failure(507, 'Insufficient storage');
  if (err instanceof LockUnavailableError) {
    const reply = protocol.failure(503, err.message);
    return { ...reply, headers: { ...reply.headers, 'Retry-After': '1' } };
  }
  console.error(`resumable-upload server: ${req.method} ${req.base}${req.path}:`, err);
  return protocol.failure(500, 'Internal server error');
}

function corsHeaders(
  origin: string | undefined,
  protocols: WireProtocol[],
): { always: Record<string, string>; preflight: Record<string, string> } {
  if (!origin) return { always: {}, preflight: {} };
  const union = (pick: (p: WireProtocol) => readonly string[]): string =>
    [...new Set(protocols.flatMap(pick))].join(', ');
  const expose = union((p) => p.cors.exposeHeaders);
  return {
    always: {
      'Access-Control-Allow-Origin': origin,
      Vary: 'Origin',
      ...(origin === '*' ? {} : { 'Access-Control-Allow-Credentials': 'true' }),
      ...(expose ? { 'Access-Control-Expose-Headers': expose } : {}),
    },
    // tus and IETF share one path and a preflight does not say which one is coming: allow every protocol's headers.
    preflight: {
      'Access-Control-Allow-Headers': union((p) => p.cors.allowHeaders) + ', Content-Type, Authorization',
      'Access-Control-Max-Age': '7200',
    },
  };
}
