export { createUploadHandler } from './http/node.js';
export type { NextFunction, UploadHandler } from './http/node.js';
export { createFetchUploadHandler } from './http/fetch.js';
export type { FetchUploadHandler, FetchUploadHandlerOptions } from './http/fetch.js';
export { createUploadServer, startUploadServer } from './server.js';
export type { RunningUploadServer } from './server.js';
export type {
  CompletedUpload,
  StartUploadServerOptions,
  UploadServerOptions,
  WireProtocolName,
} from './options.js';
export { UploadService, UploadProblem } from './service.js';
export type { AppendOutcome, AppendRequest, ProblemCode, ServiceConfig } from './service.js';
export { FileStore } from './stores/file/store.js';
export type { FileStoreOptions } from './stores/file/store.js';
// The AWS SDK (an optional peer) is loaded by S3Store.init(), not by this import.
export { S3Store } from './stores/s3/store.js';
export type { S3StoreOptions } from './stores/s3/store.js';
export type {
  AppendOptions,
  AppendResult,
  BodyEnd,
  ExpectedDigest,
  StoredLocation,
  UploadRecord,
  UploadState,
  UploadStore,
} from './stores/types.js';
export { MemoryLocker } from './locks/memory.js';
export type { Lease, Locker } from './locks/types.js';
export { LockUnavailableError } from './locks/types.js';
// Loads ioredis (an optional peer dependency) only when called.
export { createRedisLocker, RedisLocker } from './locks/redis.js';
export type { RedisLockerOptions } from './locks/redis.js';
export { IETF_INTEROP_VERSIONS } from './protocols/ietf.js';
