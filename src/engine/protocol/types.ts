import type { Transport, TransportResponse } from '../transport.js';

/** What a protocol needs to talk about one file. */
export interface ProtocolContext {
  file: File;
  /** The id, already made safe for a header. */
  headerId: string;
  /** Extra headers, asked before every request. */
  headers: () => Promise<Record<string, string>>;
  withCredentials: boolean;
  stallTimeout: number;
  signal: AbortSignal;
  transport: Transport;
  /** Passed to the transport for uploads: whether the server still receives (see TransportRequest). */
  stillMoving?: () => Promise<boolean>;
}

export interface ChunkResult {
  /** The offset the server confirms, or null when its answer does not say (ask status). */
  offset: number | null;
  response: TransportResponse;
}

/**
 * A wire protocol. Non-2xx answers reject with an UploadError carrying the status and body;
 * the upload's state machine decides what each one means.
 */
export interface Protocol {
  /** How many bytes the server durably holds for this file. */
  getOffset(ctx: ProtocolContext): Promise<{ offset: number; response: TransportResponse }>;
  /** Sends `file.slice(start, end)`. */
  sendChunk(
    ctx: ProtocolContext,
    start: number,
    end: number,
    onProgress: (loaded: number) => void,
  ): Promise<ChunkResult>;
}
