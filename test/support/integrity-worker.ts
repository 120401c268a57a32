// The integrity workers as the engine starts them, for the browser tests: a worker from the shipped
// script (after an optional prelude that takes something away from it), the FIPS 180 examples, and a
// check that sends bytes to a body worker and a file worker as the engine does.
import { expect } from '@open-wc/testing';
import { workerScript } from '../../src/engine/integrity/worker-script.js';
import type { Hasher, WorkerAnswer, WorkerRequest } from '../../src/engine/integrity/worker.js';
import { sha256Hex } from './files.js';

export const MiB = 1024 * 1024;
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const ascii = (text: string) => new TextEncoder().encode(text);

/** FIPS 180-2 appendix B and the NIST example values. */
export const VECTORS: Array<[string, Uint8Array<ArrayBuffer>, string]> = [
  ['empty', ascii(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['"abc"', ascii('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    '448 bits',
    ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  ],
  [
    '896 bits',
    ascii(
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    ),
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
  [
    'a million "a"',
    new Uint8Array(1_000_000).fill(0x61),
    'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  ],
];

/** One worker speaking the engine's protocol: the file and role once, then body after body. */
export class TestWorker {
  private readonly worker: Worker;
  private readonly url: string;
  private readonly answers = new Map<number, (a: WorkerAnswer) => void>();

  constructor(prelude: string, file: File, role: 'body' | 'file', peer: MessagePort) {
    this.url = URL.createObjectURL(new Blob([prelude, workerScript], { type: 'text/javascript' }));
    this.worker = new Worker(this.url);
    this.worker.onmessage = ({ data }: MessageEvent<WorkerAnswer>) => this.answers.get(data.id)?.(data);
    this.worker.postMessage({ file, role, peer } satisfies WorkerRequest, [peer]);
  }

  ask(id: number, start: number, end: number): Promise<{ digest: string | null; hasher: Hasher }> {
    const answer = new Promise<WorkerAnswer>((resolve) => this.answers.set(id, resolve));
    this.worker.postMessage({ id, start, end } satisfies WorkerRequest);
    return answer.then((a) => {
      if ('error' in a) throw new Error(a.error);
      return { digest: a.digest && hex(a.digest), hasher: a.hasher };
    });
  }

  close(): void {
    this.worker.terminate();
    URL.revokeObjectURL(this.url);
  }
}

/**
 * Three bodies of about a third each (one, when there are fewer than three bytes), the second sent twice;
 * `resumed`: only the last two, as after a reload, so the file worker reads the first third itself.
 */
function bodies(size: number, resumed = false): Array<[number, number]> {
  if (size < 3) return [[0, size]];
  const a = Math.ceil(size / 3);
  const b = Math.ceil((2 * size) / 3);
  const all: Array<[number, number]> = [
    [0, a],
    [a, b],
    [a, b],
    [b, size],
  ];
  return resumed ? all.slice(1) : all;
}

/**
 * Sends `bytes` as bodies to a body worker and a file worker; checks every digest and who computed it.
 * `resumed`: see bodies(); `behind`: the file worker is asked only once every body was digested, so
 * more were handed to it than it keeps.
 */
export async function check(
  browser: { prelude: string; body: Hasher; file: Hasher },
  bytes: Uint8Array<ArrayBuffer>,
  expected: string,
  { resumed = false, behind = false } = {},
) {
  const file = new File([bytes], 'vector.bin');
  // The body worker hands what it read to the file worker, as in the engine.
  const { port1, port2 } = new MessageChannel();
  const body = new TestWorker(browser.prelude, file, 'body', port1);
  const whole = new TestWorker(browser.prelude, file, 'file', port2);
  try {
    const ranges = bodies(bytes.length, resumed);
    const bodyAnswers = behind ? await Promise.all(ranges.map(([s, e], i) => body.ask(i + 1, s, e))) : [];
    for (const [i, [start, end]] of ranges.entries()) {
      const [b, w] = await Promise.all([
        bodyAnswers[i] ?? body.ask(i + 1, start, end),
        whole.ask(i + 1, start, end),
      ]);
      expect(b, `body ${start}-${end}`).to.deep.equal({
        digest: await sha256Hex(bytes.slice(start, end)),
        hasher: browser.body,
      });
      expect(w, `the file after ${start}-${end}`).to.deep.equal({
        digest: end === bytes.length ? expected : null,
        hasher: browser.file,
      });
    }
  } finally {
    body.close();
    whole.close();
  }
}
