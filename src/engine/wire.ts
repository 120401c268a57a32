// The shapes of one HTTP exchange, shared by the transport, the errors and the protocols (no imports: no cycles).

export interface TransportRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS';
  url: string;
  headers: Record<string, string>;
  body?: Blob;
  withCredentials: boolean;
  /** Aborting rejects the request with an AbortError DOMException. */
  signal: AbortSignal;
  /** Milliseconds without upload progress (or, once sent, without a response) before giving up as a stall. */
  stallTimeout: number;
  /** Bytes of the body sent so far. */
  onProgress?: (loaded: number) => void;
  /**
   * Asked when `stallTimeout` passes without progress: true keeps waiting. A body sits in socket
   * buffers long after XHR reports it sent, so on a slow link only the server can tell it still moves.
   */
  stillMoving?: () => Promise<boolean>;
}

export interface TransportResponse {
  status: number;
  body: string;
  header(name: string): string | null;
}

/** Sends one HTTP request. Rejects with UploadError('network' | 'stall') or the signal's AbortError. */
export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
}
