// The bodies this process is receiving, as the service sees them: where each started, when bytes last
// came, whether they still move, and their end. Status waits on them; re-sends are refused by them.
import type { Readable } from 'node:stream';

/** A body that got bytes this recently is still being received (a cut's last bytes drain in far less). */
export const RECEIVING_MS = 100;
/**
 * The longest status waits for such a body's end before answering the last checkpoint. At load 8 a cut
 * 2 MiB chunk's last 0.7 MB took over 400 ms to reach the disk; 250 ms sent the client back to a stale
 * offset twice, each refused re-send costing its chunk.
 */
export const STATUS_WAIT_MS = 2000;

/** A body this process receives for an upload: where it started, when bytes last came, and its end. */
export interface Receiving {
  start: number;
  activeAt: number;
  /** Bytes of it have been read. */
  moved: boolean;
  /** The body itself: bytes that arrived but wait unread (before its turn at the lock) count as moved. */
  source: Readable;
  /** Its end was read (`ended` resolved). */
  over: boolean;
  ended: Promise<void>;
  /** Resolves `ended`. */
  finish: () => void;
}

export function receiving(start: number, source: Readable): Receiving {
  const body: Receiving = {
    start,
    activeAt: performance.now(),
    moved: false,
    source,
    over: false,
    ended: Promise.resolve(),
    finish: () => undefined,
  };
  body.ended = new Promise<void>((resolve) => {
    body.finish = () => {
      body.over = true;
      resolve();
    };
  });
  return body;
}

/**
 * A body not yet over that still moves: bytes came lately, or wait unread (the store holds the body
 * while its disk is busy, or the request waits for the lock). A quiet one may be a dead connection.
 */
export function moving(body: Receiving): boolean {
  const { source } = body;
  return (
    !body.over &&
    (performance.now() - body.activeAt < RECEIVING_MS ||
      source.readableLength > 0 ||
      source.readableFlowing === false)
  );
}
