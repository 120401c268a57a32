export { createUploadHandler } from './handler.js';
export type { NextFunction, UploadHandler } from './handler.js';
export { createUploadServer, startUploadServer } from './server.js';
export type { RunningUploadServer } from './server.js';
export type { CompletedUpload, StartUploadServerOptions, UploadServerOptions } from './options.js';
