export { Uploader } from './queue.js';
export type { DiagnoseOptions, DiagnosisFinding, DiagnosisId, DiagnosisReport } from './diagnose.js';
export { Upload } from './upload.js';
export { encodeHeaderValue } from './session.js';
export type { UploadItem } from './upload.js';
export { UploadStatus, isSettled } from './state.js';
export { UploadError } from './errors.js';
export type { UploadErrorKind } from './errors.js';
export { XhrTransport } from './transport.js';
export type { Transport, TransportRequest, TransportResponse } from './transport.js';
export { statusUpload, tus, ietf, protocolNamed, PROTOCOL_NAMES } from './protocols/index.js';
export type { ProtocolName } from './protocols/index.js';
export type { TusOptions, IetfOptions, UrlStorage } from './protocols/options.js';
export type {
  Protocol,
  ProtocolSession,
  SessionInit,
  RequestContext,
  ServerLimits,
  ServerOffset,
} from './protocols/types.js';
export { defaultOptions, defaultFileId, DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE } from './options.js';
export type { UploaderOptions, HeadersOption } from './options.js';
export { parseRetryAfter, withJitter } from './retry.js';
export type * from './events.js';
export { UPLOAD_EVENT_NAMES } from './events.js';
