import type {
  QueueCompleteDetail,
  UploadAddDetail,
  UploadCancelDetail,
  UploadCompleteDetail,
  UploadErrorDetail,
  UploadPauseDetail,
  UploadProgressDetail,
  UploadResumeDetail,
  UploadRetryDetail,
  UploadStartDetail,
} from '../engine/events.js';
import { ResumableUpload, type FileRejectDetail } from './resumable-upload.js';

// Guarded, so a second copy of the bundle on the page doesn't throw.
if (!customElements.get('resumable-upload')) customElements.define('resumable-upload', ResumableUpload);

declare global {
  interface HTMLElementTagNameMap {
    'resumable-upload': ResumableUpload;
  }
  interface HTMLElementEventMap {
    'upload-add': CustomEvent<UploadAddDetail>;
    'upload-start': CustomEvent<UploadStartDetail>;
    'upload-progress': CustomEvent<UploadProgressDetail>;
    'upload-pause': CustomEvent<UploadPauseDetail>;
    'upload-resume': CustomEvent<UploadResumeDetail>;
    'upload-retry': CustomEvent<UploadRetryDetail>;
    'upload-complete': CustomEvent<UploadCompleteDetail>;
    'upload-error': CustomEvent<UploadErrorDetail>;
    'upload-cancel': CustomEvent<UploadCancelDetail>;
    'queue-complete': CustomEvent<QueueCompleteDetail>;
    'file-reject': CustomEvent<FileRejectDetail>;
  }
}
