// The real XHR transport, watched: which request is in flight and how far, and (once) a connection
// that dies mid-chunk after the server stored part of it.
import { UploadError, XhrTransport } from '../../src/engine/index.js';
import type { Transport, TransportRequest, TransportResponse } from '../../src/engine/index.js';

export class ObservedTransport implements Transport {
  /** The upload request in flight: its X-Start-Byte and the body bytes sent so far. */
  current: { start: number; loaded: number } | null = null;
  /** X-Start-Byte of every upload request, in order. */
  readonly starts: number[] = [];
  /** The body of every upload request, as the engine handed it over. */
  readonly bodies: Blob[] = [];
  private readonly inner = new XhrTransport();

  /** @param cutAt the first upload request spanning this byte delivers the bytes before it, then fails as a lost connection. */
  constructor(private cutAt: number | null = null) {}

  async send(req: TransportRequest): Promise<TransportResponse> {
    if (req.method !== 'POST' || !req.body) return this.inner.send(req);
    const start = Number(req.headers['X-Start-Byte']);
    this.bodies.push(req.body);
    let body = req.body;
    const cut = this.cutAt !== null && start < this.cutAt && start + body.size > this.cutAt;
    if (cut) {
      body = body.slice(0, this.cutAt! - start);
      this.cutAt = null;
    }
    this.starts.push(start);
    this.current = { start, loaded: 0 };
    const onProgress = (loaded: number) => {
      this.current = { start, loaded };
      req.onProgress?.(loaded);
    };
    try {
      const response = await this.inner.send({ ...req, body, onProgress });
      // The server stored the bytes, but its answer never came back.
      if (cut) throw new UploadError('network', 'Connection lost (test cut)');
      return response;
    } finally {
      this.current = null;
    }
  }
}
