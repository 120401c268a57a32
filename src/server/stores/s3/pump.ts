// Reads a request body into parts of exactly partSize bytes, handing each to a PartWriter while the body
// keeps arriving, and pausing the body (TCP back-pressure) whenever every slot is busy and a full part waits.
import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AppendOptions, BodyEnd } from '../types.js';
import type { PartWriter } from './parts.js';

/** How the body ended, and its bytes after the last part (never as many as partSize). */
export interface Pumped {
  end: BodyEnd;
  rest: Buffer[];
}

/**
 * Resolves once the body is over and every part it started has settled; rejects with a part's failure
 * (after the others settled, so nothing of this body is still being written). Memory: the parts in flight
 * (the writer's pool) plus at most one part's worth filling here.
 */
export function pump<T>(
  req: Readable,
  staged: Buffer | undefined,
  partSize: number,
  options: AppendOptions,
  hash: Hash | undefined,
  writer: PartWriter<T>,
): Promise<Pumped> {
  let chunks: Buffer[] = staged ? [staged] : [];
  let buffered = staged?.length ?? 0;
  const { limit, idleTimeout } = options;
  return new Promise((resolve, reject) => {
    let received = 0;
    /** We paused the body: every slot is busy and a full part waits. */
    let held = false;
    let end: BodyEnd | undefined = req.readableEnded ? 'end' : req.destroyed ? 'aborted' : undefined;
    let done = false;

    const timer =
      idleTimeout > 0 && idleTimeout < 2 ** 31 && !end
        ? setTimeout(function idle() {
            // Held while parts are sent: the quiet is ours, not the client's.
            if (held) return void timer?.refresh();
            stop('stalled');
            req.destroy();
          }, idleTimeout)
        : undefined;

    const stop = (why: BodyEnd): void => {
      end ??= why;
      if (why === 'overflow') {
        chunks = [];
        buffered = 0;
      }
      check();
    };
    const onData = (chunk: Buffer): void => {
      if (end) return;
      timer?.refresh();
      options.onActivity?.();
      if (chunk.length > limit - received) return stop('overflow');
      received += chunk.length;
      hash?.update(chunk);
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered >= partSize) check();
    };
    // Node drops a destroyed request's buffer: take what it parsed but had not handed over yet.
    const onAborted = (): void => {
      while (req.read() !== null);
    };
    const onEnd = (): void => stop('end');
    const onClose = (): void => stop('aborted');
    const onError = (): void => stop('aborted');

    /** Hands full parts to free slots, holds or frees the body, and settles once all is over. */
    function check(): void {
      if (done) return;
      const failed = writer.failure !== undefined;
      while (!failed && buffered >= partSize && !writer.full) cut();
      // A full part waits for a slot (or a part failed): the body waits too.
      const waiting = failed || buffered >= partSize;
      if (!end && waiting !== held) {
        held = waiting;
        if (held) req.pause();
        else req.resume();
      }
      if (!writer.idle || !(failed || (end && !waiting))) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('aborted', onAborted);
      req.off('end', onEnd);
      req.off('close', onClose);
      if (failed) reject(writer.failure);
      else resolve({ end: end!, rest: chunks });
    }

    /** The first partSize bytes become a part; a chunk across the boundary is split. */
    function cut(): void {
      writer.add(chunks, partSize);
      let taken = 0;
      let i = 0;
      while (i < chunks.length && taken + chunks[i]!.length <= partSize) taken += chunks[i++]!.length;
      const rest = chunks.slice(i);
      if (taken < partSize) rest[0] = rest[0]!.subarray(partSize - taken);
      chunks = rest;
      buffered -= partSize;
    }

    writer.onSettle = check;
    if (end) return check();
    req.on('data', onData);
    req.on('aborted', onAborted);
    req.on('end', onEnd);
    req.on('close', onClose);
    // 'close' follows any error; a listener that stays keeps a late reset from becoming an uncaught error.
    req.on('error', onError);
    req.resume();
  });
}
