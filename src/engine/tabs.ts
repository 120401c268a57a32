// One uploader per file across the origin's tabs. The tab that gets the file's Web Lock uploads and
// posts its progress on a BroadcastChannel of the same name; a tab that finds the lock taken shows that
// progress, sends nothing, and either completes when the holder does or takes over when the holder's
// lock goes (the tab closed or crashed: the browser releases its locks). The holder tells its upload URL
// too, so the tab that takes over resumes that upload even where no storage remembers it.
import type { UploaderOptions } from './options.js';
import type { Uploader } from './queue.js';
import { UploadStatus, isSettled } from './state.js';
import type { Upload } from './upload.js';

/**
 * What the holder posts: the event's type, its bytesUploaded, the response of a completion, and its
 * session's upload URL (tus, IETF) once there is one. A follower posts ASK when it starts following.
 */
type Told = [type: string, bytes: number, response?: string, url?: string];
const TOLD = ['upload-progress', 'upload-complete'] as const;
const ASK = 'upload-ask';
/** How often the holder posts its progress (ms). */
const TELL_MS = 100;
/** The longest a completed holder waits for the other tabs to read its completion. */
const HANDOVER_MS = 1000;

/** One name per file and server across the origin's tabs: the Web Lock's and the BroadcastChannel's. */
export const tabKey = (o: UploaderOptions, fileId: string): string =>
  `resumable-upload ${o.protocol.name} ${o.protocol.name === 'status-upload' ? o.uploadUrl : o.endpoint} ${fileId}`;

/** Shows bytes the server holds that this tab did not send (another tab's, or a restored upload's). */
export function mirror(q: Uploader, upload: Upload, bytes: number): void {
  upload.confirmed = Math.min(bytes, upload.file.size);
  q.emit('upload-progress', upload, { speed: 0, eta: Infinity });
}

/** Runs `body` as the only uploader of `upload`'s file in this origin; rejects as `body` or `signal` does. */
export async function exclusive(
  q: Uploader,
  upload: Upload,
  signal: AbortSignal,
  body: () => Promise<void>,
): Promise<void> {
  const name = tabKey(q.options, upload.fileId);
  let mine = false;
  await navigator.locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) return;
    mine = true;
    await lead(q, upload, name, body);
  });
  if (!mine) await follow(q, upload, name, signal, body);
}

/** Holds the lock: uploads, and tells the other tabs how far it got. */
async function lead(q: Uploader, upload: Upload, name: string, body: () => Promise<void>): Promise<void> {
  const channel = new BroadcastChannel(name);
  // Progress is posted at most every TELL_MS (the last of a burst after it): WebKit fires an upload
  // progress event per 8 KiB, and a post per event held the upload at 0.73 x a raw POST there.
  let last = -Infinity;
  let pending: Told | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let told: string | undefined;
  const post = (m: Told) => {
    pending = null;
    last = performance.now();
    told = m[3];
    channel.postMessage(m);
  };
  const tell = (e: Event) => {
    const d = (e as CustomEvent<{ item: unknown; bytesUploaded: number; response?: string }>).detail;
    if (d.item !== upload) return;
    const url = upload.session?.url ?? undefined;
    const m: Told = [e.type, d.bytesUploaded, d.response, url];
    const wait = last + TELL_MS - performance.now();
    // A new upload URL goes out at once: the holder may close before its next post.
    if (e.type !== 'upload-progress' || wait <= 0 || url !== told) return post(m);
    if (!pending) timer = setTimeout(() => pending && post(pending), wait);
    pending = m;
  };
  // A tab that starts following while this one sends nothing (a retry's wait) learns where it stands.
  channel.onmessage = ({ data }: MessageEvent<Told>) => {
    if (data[0] === ASK)
      post(['upload-progress', upload.confirmed, undefined, upload.session?.url ?? undefined]);
  };
  for (const type of TOLD) q.addEventListener(type, tell);
  try {
    await body();
    // A follower that took the lock before reading the completion would start over: tus and IETF forget
    // the upload URL as they complete. Followers drop their request as they read it: hold on until then.
    if (upload.status === UploadStatus.complete) await followersGone(name);
  } finally {
    for (const type of TOLD) q.removeEventListener(type, tell);
    clearTimeout(timer);
    channel.close();
  }
}

/** Resolves once no tab waits for the lock `name`, or after HANDOVER_MS (a follower that missed the news). */
async function followersGone(name: string): Promise<void> {
  const until = performance.now() + HANDOVER_MS;
  try {
    while ((await navigator.locks.query()).pending?.some((l) => l.name === name)) {
      if (performance.now() > until) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  } catch {
    // No query(): the follower's own wait (below) is all there is.
  }
}

/** Waits for the lock another tab holds, then leads as that tab did, unless the holder completed first. */
async function follow(
  q: Uploader,
  upload: Upload,
  name: string,
  signal: AbortSignal,
  body: () => Promise<void>,
): Promise<void> {
  const channel = new BroadcastChannel(name);
  const completed = new AbortController();
  let response: string | null = null;
  /** The holder's upload URL, the latest it told: the one to resume on taking over. */
  let url: string | undefined;
  channel.onmessage = ({ data }: MessageEvent<Told>) => {
    const [type, bytes, body, at] = data;
    if (type === ASK) return;
    if (typeof at === 'string') url = at;
    if (type === 'upload-complete') {
      response = body ?? '';
      completed.abort();
    } else if (upload.elsewhere) mirror(q, upload, bytes);
  };
  channel.postMessage([ASK, 0] satisfies Told);
  upload.elsewhere = true;
  upload.status = UploadStatus.uploading;
  mirror(q, upload, upload.confirmed);
  try {
    await navigator.locks.request(name, { signal: AbortSignal.any([signal, completed.signal]) }, async () => {
      // The holder posts its completion before it lets the lock go: let that message arrive first.
      await new Promise((r) => setTimeout(r, 0));
      upload.elsewhere = false;
      if (response !== null) return;
      // The holder's upload, asked for its offset as a remembered one is (a gone one is created anew).
      if (url) {
        upload.handed = url;
        upload.session = null;
      }
      // The holder now: it tells a tab that follows it, as the first holder told this one.
      channel.close();
      await lead(q, upload, name, body);
    });
  } catch (err) {
    if (response === null || signal.aborted) throw err;
  } finally {
    channel.close();
    upload.elsewhere = false;
  }
  if (response !== null && !isSettled(upload.status)) upload.complete(response);
}
