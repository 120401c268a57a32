// A project with no React, Vue or other framework types uses every framework-free entry.
import { ResumableUpload, Uploader } from 'resumable-upload';
import type { UploaderOptions } from 'resumable-upload/engine';
import { createUploadHandler } from 'resumable-upload/server';

export const uses = [ResumableUpload, Uploader, createUploadHandler];
export const options: Partial<UploaderOptions> = { chunkSize: 1024 };
