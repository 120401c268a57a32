// A bucket as the bench sees it (the S3 servers' storage): emptied before each upload, listed and hashed
// after it, over the AWS SDK the S3 stores use.
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Storage } from './children.js';

export class BucketStorage implements Storage {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /**
   * Deletes every object and aborts every multipart upload: RGW's memstore holds them in RAM (until its gc,
   * seconds later), so each upload starts from an empty bucket.
   */
  async clear(): Promise<void> {
    const { client, bucket } = this;
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const u of uploads.Uploads ?? [])
      await client.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }),
      );
    for (;;) {
      const keys = (await this.list()).map((o) => ({ Key: o.path }));
      if (!keys.length) return;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
  }

  async stored(): Promise<Array<{ path: string; size: number }>> {
    return (await this.list()).sort((a, b) => b.size - a.size);
  }

  async sha256(key: string): Promise<string> {
    const got = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const h = createHash('sha256');
    for await (const chunk of got.Body as Readable) h.update(chunk as Buffer);
    return h.digest('hex');
  }

  /** Up to 1000 objects: the bench keeps a handful at a time. */
  private async list(): Promise<Array<{ path: string; size: number }>> {
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket }));
    return (out.Contents ?? []).map((o) => ({ path: o.Key!, size: o.Size ?? 0 }));
  }
}
