// The bodies this process is receiving, as the service sees them: where each started, when bytes last
// came, whether they still move, and their end. Status waits on them; re-sends are refused by them.
import type { Readable } from 'node:stream';

/** A body that got bytes this recently is still being received (a cut's last bytes drain in far less). */
export const RECEIVING_MS = 100;
/**
 * The longest status waits for a body that got bytes lately to end, before answering its checkpoint. A
 * live body goes on past it (status then answers its checkpoint, well within a stall timeout); a cut one
 * drains its buffers: at load 5, one still draining after the store let go of it took over 250 ms.
 */
export const STATUS_WAIT_MS = 500;
/**
 * The longest status waits for a body the store holds (its bytes wait here while the disk is busy). At
 * load 8 a cut 2 MiB chunk's last 0.7 MB took over 400 ms to reach the disk: answering the checkpoint
 * before sent the client back to it twice, each refused re-send costing its chunk.
 */
export const HELD_WAIT_MS = 2000;

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
  let resolve!: () => void;
  const ended = new Promise<void>((r) => (resolve = r));
  const body: Receiving = {
    start,
    activeAt: performance.now(),
    moved: false,
    source,
    over: false,
    ended,
    finish: () => {
      body.over = true;
      resolve();
    },
  };
  return body;
}

/** Not over, and its bytes wait here: the store holds it (its disk is busy), or it was cut with bytes unread. */
export function held(body: Receiving): boolean {
  const { source } = body;
  return !body.over && (source.readableFlowing === false || (source.destroyed && source.readableLength > 0));
}

/** Waits up to `ms` for the body's end. */
export async function endedWithin(body: Receiving, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([body.ended, waited]);
  clearTimeout(timer);
}
