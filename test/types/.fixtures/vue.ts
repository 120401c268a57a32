// Vue: the GlobalComponents entry that vue-tsc and Volar check templates against.
import type { GlobalComponents } from 'vue';
import type {} from 'resumable-upload/vue';

type Props = InstanceType<GlobalComponents['resumable-upload']>['$props'];

// `<resumable-upload upload-url="/upload" :chunk-size="1048576" @upload-progress="..." @file-reject="...">`
export const props: Props = {
  uploadUrl: '/upload',
  chunkSize: 1024 * 1024,
  headers: () => ({ Authorization: 'Bearer x' }),
  onUploadProgress: (e) => e.detail.bytesUploaded.toFixed(),
  onFileReject: (e) => e.detail.reason,
};

// @ts-expect-error upload-progress has no `nope` in its detail
export const badDetail: Props = { onUploadProgress: (e) => e.detail.nope };
// @ts-expect-error chunkSize is a number
export const badProperty: Props = { chunkSize: 'big' };
