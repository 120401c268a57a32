// Plain DOM: the element and its events are typed from the main entry alone.
import 'resumable-upload';

const el = document.createElement('resumable-upload');
el.chunkSize = 1024 * 1024;
el.addEventListener('upload-progress', (e) => e.detail.bytesUploaded.toFixed());
el.addEventListener('upload-complete', (e) => e.detail.response.trim());
el.addEventListener('file-reject', (e) => e.detail.reason === 'size');
document.querySelector('resumable-upload')?.addEventListener('upload-error', (e) => e.detail.error.status);

// @ts-expect-error upload-progress has no `nope` in its detail
el.addEventListener('upload-progress', (e) => e.detail.nope);
// @ts-expect-error chunkSize is a number
el.chunkSize = '1 MB';
