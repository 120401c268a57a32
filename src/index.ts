// The public entry: the engine, the element class and its types, and the <resumable-upload> registration.
export * from './engine/index.js';
export { ResumableUpload } from './element/resumable-upload.js';
export type { FileRejectDetail, FileRejectReason, ResumableUploadI18n } from './element/resumable-upload.js';
import './element/define.js';
