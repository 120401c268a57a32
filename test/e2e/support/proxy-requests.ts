// What the fault proxy knows of a request: the faults it can inject, the record it keeps of each request,
// and how it reads a request head (proxy.ts does the forwarding).

/** One fault, armed when it reaches the head of the queue and spent by the first request it matches. */
export type Fault =
  /**
   * Upload POST (or tus/IETF append or creation with data) containing file byte `at`: bytes before it
   * reach the server, then both sockets close.
   */
  | { kind: 'cut'; at: number }
  /**
   * Upload POST (or tus/IETF append) containing file byte `at`: from there nothing crosses, either way, not even a hangup,
   * for `ms` (forever when omitted: a dead path the server never hears about). Then the link carries
   * again what is left, including a hangup the client made meanwhile.
   */
  | { kind: 'freeze'; at: number; ms?: number }
  /**
   * Upload POST (or tus/IETF append or creation with data) containing file byte `at`: that byte reaches the
   * server inverted (every bit flipped), silently; the rest of the request and its answer pass untouched.
   */
  | { kind: 'flip'; at: number }
  /**
   * Next upload POST (or tus/IETF append) reaches the server whole; its response is thrown away and the
   * client socket closed.
   */
  | { kind: 'drop-response' }
  /**
   * Next status request (GET /status; a tus/IETF HEAD under /files) is answered 503 by the proxy, never
   * reaching the server. `passable`: faults queued behind it may take effect first (a client that needs
   * no status request after a cut does not hold up the next cut).
   */
  | { kind: 'status-503'; passable?: boolean }
  /** Next status request gets a TCP reset. */
  | { kind: 'status-reset'; passable?: boolean };

export interface RequestRecord {
  conn: number;
  method: string;
  path: string;
  fileId: string | null;
  /**
   * Where the body starts in the file: X-Start-Byte of an upload POST, Upload-Offset of a tus/IETF append
   * (PATCH, or POST + X-HTTP-Method-Override), 0 for a tus/IETF creation that carries data.
   */
  start: number | null;
  /** A tus or IETF request carrying file bytes (an append, or a creation with data). */
  appends: boolean;
  contentLength: number;
  /** Body bytes that crossed the client's wire (read from the browser). */
  received: number;
  /** Body bytes passed on to the server. */
  forwarded: number;
  /** Response status the client saw (or was injected); null when it saw none. */
  status: number | null;
  /** The response's Location (a tus/IETF creation names its upload URL there); null when none. */
  location: string | null;
  /** The connection that carried it has closed (so the server has seen the last of it). */
  closed: boolean;
  fault: Fault['kind'] | null;
  /** The proxy's performance.now(): head read, first and last body byte read, first answer byte, fault fired. */
  arrived: number;
  firstByte: number | null;
  lastByte: number | null;
  answered: number | null;
  faultAt: number | null;
}

export const isUpload = (r: RequestRecord) =>
  (r.method === 'POST' && r.path.startsWith('/upload')) || r.appends;
export const isStatus = (r: RequestRecord) =>
  (r.method === 'GET' && r.path.startsWith('/status')) ||
  (r.method === 'HEAD' && r.path.startsWith('/files'));

/** A request's record from its head (the proxy's clock stamps its arrival). */
export function parseHead(conn: number, text: string): RequestRecord {
  const [line, ...fields] = text.split('\r\n');
  const [method, path] = line.split(' ');
  const headers = new Map<string, string>();
  for (const f of fields) {
    const i = f.indexOf(':');
    if (i > 0) headers.set(f.slice(0, i).trim().toLowerCase(), f.slice(i + 1).trim());
  }
  if (headers.get('transfer-encoding')) throw new Error('chunked request bodies are not supported');
  const contentLength = Number(headers.get('content-length') ?? 0);
  // tus and IETF: an append names its offset (an sf-integer in IETF: parameters dropped); a creation
  // with a body (tus Upload-Length/Upload-Defer-Length, IETF Upload-Complete) starts at 0.
  const offset = headers.get('upload-offset')?.split(';')[0].trim();
  const appending = method === 'PATCH' || (method === 'POST' && headers.has('x-http-method-override'));
  const creating =
    method === 'POST' &&
    ['upload-length', 'upload-defer-length', 'upload-complete'].some((h) => headers.has(h));
  const appends =
    contentLength > 0 && ((appending && offset !== undefined) || (creating && offset === undefined));
  const start = headers.get('x-start-byte') ?? (appends ? (offset ?? '0') : undefined);
  return {
    conn,
    method,
    path,
    fileId: headers.get('x-file-id') ?? null,
    start: start === undefined ? null : Number(start),
    appends,
    contentLength,
    received: 0,
    forwarded: 0,
    status: null,
    location: null,
    closed: false,
    fault: null,
    arrived: performance.now(),
    firstByte: null,
    lastByte: null,
    answered: null,
    faultAt: null,
  };
}
