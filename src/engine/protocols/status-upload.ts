import { X_FILE_ID, X_FILE_SIZE, X_START_BYTE } from '../../shared/headers.js';
import { UploadError } from '../errors.js';
import { digestHeaders, isHtml, learnWanted, parseOffset, send, slice } from './http.js';
import type { Protocol, ProtocolSession, RequestContext, ServerOffset, SessionInit } from './types.js';

/**
 * The article's protocol: `GET status` answers the stored byte count; `POST upload` appends the body at
 * `X-Start-Byte`. `X-File-Size` is our addition so the server knows when the file is whole. No upload URL,
 * no limits, nothing to terminate: the server keeps a canceled file's bytes.
 */
export class StatusUploadSession implements ProtocolSession {
  readonly url = null;
  readonly limits = {};
  /** A zero-byte file is whole once its empty POST went through, though its offset stays 0. */
  private posted = false;
  /** The digests the status answer asked for (our server does; the article's does not). */
  private readonly wanted = { content: false, repr: false };

  constructor(private readonly init: SessionInit) {}

  async offset(ctx: RequestContext): Promise<ServerOffset> {
    const { init } = this;
    const response = await send(ctx, 'Status request', {
      method: 'GET',
      url: init.statusUrl(),
      headers: { [X_FILE_ID]: init.headerId },
    });
    learnWanted(response, this.wanted);
    const offset = parseOffset(response.body);
    if (offset === null)
      throw new UploadError(
        'protocol',
        isHtml(response)
          ? 'Status answered a web page, not a byte count: status-url is not an upload endpoint'
          : `Status answered ${JSON.stringify(response.body.slice(0, 40))}, not a byte count`,
        // The page itself is no reason to show.
        { response, responseText: '' },
      );
    return { offset, complete: this.whole(offset), response };
  }

  async append(ctx: RequestContext, start: number, end: number, onProgress: (loaded: number) => void) {
    const { file, headerId } = this.init;
    const response = await send(ctx, 'Upload', {
      method: 'POST',
      url: this.init.uploadUrl(),
      headers: {
        [X_FILE_ID]: headerId,
        [X_START_BYTE]: String(start),
        [X_FILE_SIZE]: String(file.size),
        ...digestHeaders(ctx.digest, this.wanted),
      },
      body: slice(file, start, end),
      onProgress,
    });
    this.posted = true;
    // The article's server answers "ok": the offset is then asked.
    const offset = parseOffset(response.body);
    return { offset, complete: offset !== null && this.whole(offset), response };
  }

  async terminate(): Promise<void> {}

  finish(): void {}

  private whole(offset: number): boolean {
    const size = this.init.file.size;
    return offset === size && (size > 0 || this.posted);
  }
}

/** The article's protocol; `statusUpload` in index.ts loads this on demand. */
export const statusUploadProtocol: Protocol = {
  name: 'status-upload',
  open: (init) => new StatusUploadSession(init),
};
