// Shared by the engine and the server: the wire's header names, spelled once for the side that sends a
// header and the side that reads it. Plain strings, no platform API (see byte-count.ts). The server reads
// names in any case (node:http hands them over lower-cased).

// The article's protocol: the file's id, where the body starts, and (our addition) the file's size.
export const X_FILE_ID = 'X-File-Id';
export const X_START_BYTE = 'X-Start-Byte';
export const X_FILE_SIZE = 'X-File-Size';

// tus 1.0 and the IETF draft.
export const UPLOAD_OFFSET = 'Upload-Offset';
export const UPLOAD_LENGTH = 'Upload-Length';

// tus 1.0.
export const TUS_RESUMABLE = 'Tus-Resumable';
export const TUS_VERSION = 'Tus-Version';
export const TUS_EXTENSION = 'Tus-Extension';
export const TUS_MAX_SIZE = 'Tus-Max-Size';
export const TUS_CHECKSUM_ALGORITHM = 'Tus-Checksum-Algorithm';
export const UPLOAD_METADATA = 'Upload-Metadata';
export const UPLOAD_EXPIRES = 'Upload-Expires';
export const UPLOAD_CHECKSUM = 'Upload-Checksum';
export const UPLOAD_DEFER_LENGTH = 'Upload-Defer-Length';

// The IETF draft (Resumable Uploads for HTTP).
export const UPLOAD_COMPLETE = 'Upload-Complete';
export const UPLOAD_DRAFT_INTEROP_VERSION = 'Upload-Draft-Interop-Version';
export const UPLOAD_LIMIT = 'Upload-Limit';

// RFC 9530 digests, for every protocol.
export const CONTENT_DIGEST = 'Content-Digest';
export const REPR_DIGEST = 'Repr-Digest';
export const WANT_CONTENT_DIGEST = 'Want-Content-Digest';
export const WANT_REPR_DIGEST = 'Want-Repr-Digest';
