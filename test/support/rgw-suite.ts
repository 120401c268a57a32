// One RGW per test suite: started with its bucket before the suite's tests, stopped after them; and the
// S3 stores the suites open on it, each under its own prefix, closed and emptied when its test ends.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3Store, type S3StoreOptions } from '../../src/server/stores/s3/store.js';
import { startRgw, type RunningRgw } from './rgw.js';

/** Starts RGW and creates `bucket` before the suite's tests (`ready` gets both), stops it after them. */
export function rgwForSuite(bucket: string, ready: (rgw: RunningRgw, s3: S3Client) => void): void {
  let rgw: RunningRgw | undefined;
  before(
    async () => {
      rgw = await startRgw();
      console.log(`RGW ready in ${rgw.startedIn} ms at ${rgw.endpoint}`);
      await rgw.bucket(bucket);
      ready(rgw, await rgw.client());
    },
    { timeout: 120_000 },
  );
  after(() => rgw?.stop());
}

/** An S3Store's options for `bucket`/`prefix` on `rgw`. */
export const s3StoreOptions = (
  rgw: RunningRgw,
  bucket: string,
  prefix: string,
  extra: Partial<S3StoreOptions> = {},
): S3StoreOptions => ({
  bucket,
  prefix,
  endpoint: rgw.endpoint,
  region: rgw.region,
  credentials: { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey },
  ...extra,
});

/** Deletes every object and aborts every multipart upload under `prefix`. */
export async function emptyPrefix(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }));
  for (const o of listed.Contents ?? [])
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
  const multipart = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${prefix}/` }));
  for (const u of multipart.Uploads ?? []) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
  }
}

/**
 * A store under a fresh prefix (`<tag>-<random>`); `reopen` is another instance over it, as after a
 * restart. Every instance is closed and the prefix emptied when the test ends.
 */
export async function freshS3Store(
  t: { after(fn: () => Promise<void>): void },
  on: { rgw: RunningRgw; s3: S3Client; bucket: string },
  tag: string,
  extra: Partial<S3StoreOptions> = {},
): Promise<{ store: S3Store; prefix: string; reopen(): Promise<S3Store> }> {
  const prefix = `${tag}-${randomBytes(6).toString('hex')}`;
  const stores: S3Store[] = [];
  const open = async (): Promise<S3Store> => {
    const store = new S3Store(s3StoreOptions(on.rgw, on.bucket, prefix, extra));
    stores.push(store);
    await store.init();
    return store;
  };
  t.after(async () => {
    for (const store of stores) store.close();
    await emptyPrefix(on.s3, on.bucket, prefix);
  });
  return { store: await open(), prefix, reopen: open };
}
