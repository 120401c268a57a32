// The few S3 calls the store makes, over @aws-sdk/client-s3 loaded on first use (an optional peer dependency:
// nothing here runs, and the SDK is never imported, unless an S3Store is initialized).
import type { Readable } from 'node:stream';
import type * as SdkModule from '@aws-sdk/client-s3';
import type { Part, S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

/** An optional peer dependency, loaded only where an S3 store is used. */
const OPTIONAL_SDK = '@aws-sdk/client-s3';

type Sdk = typeof SdkModule;

/** Where to reach S3 and as whom; see S3StoreOptions. */
export interface S3Connection {
  endpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  forcePathStyle?: boolean;
}

export interface ObjectHead {
  size: number;
  /** S3's Last-Modified (whole seconds), ms since the epoch. */
  modified: number;
  metadata: Record<string, string>;
}

export interface ListedObject {
  key: string;
  size: number;
  modified: number;
}

export interface MultipartUpload {
  key: string;
  uploadId: string;
  initiated: number;
}

/** A part of a multipart upload, as ListParts tells it. */
export interface StoredPart {
  number: number;
  size: number;
  etag: string;
}

/** S3 (AWS) and RGW name a missing object, upload or part each their own way; all mean "not there". */
export function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'NotFound' ||
    e?.name === 'NoSuchKey' ||
    e?.name === 'NoSuchUpload' ||
    e?.$metadata?.httpStatusCode === 404
  );
}

/** One bucket, spoken to through the SDK. */
export class S3Bucket {
  readonly bucket: string;
  readonly #client: S3Client;
  readonly #sdk: Sdk;

  private constructor(sdk: Sdk, client: S3Client, bucket: string) {
    this.#sdk = sdk;
    this.#client = client;
    this.bucket = bucket;
  }

  static async connect(bucket: string, connection: S3Connection): Promise<S3Bucket> {
    // A name bundlers do not follow: an app that bundles the server without the SDK still builds.
    const sdk = (await import(OPTIONAL_SDK)) as typeof SdkModule;
    const config: S3ClientConfig = {
      region: connection.region ?? process.env.AWS_REGION ?? 'us-east-1',
      forcePathStyle: connection.forcePathStyle ?? connection.endpoint !== undefined,
      // The default checksums send aws-chunked bodies, which Ceph RGW 16 refuses (411); parts carry their
      // length instead, and the store verifies digests itself.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
    if (connection.endpoint !== undefined) config.endpoint = connection.endpoint;
    if (connection.credentials !== undefined) config.credentials = connection.credentials;
    return new S3Bucket(sdk, new sdk.S3Client(config), bucket);
  }

  destroy(): void {
    this.#client.destroy();
  }

  async check(): Promise<void> {
    try {
      await this.#client.send(new this.#sdk.HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (isMissing(err)) {
        throw new Error(`S3 store: bucket ${JSON.stringify(this.bucket)} does not exist`, { cause: err });
      }
      throw err;
    }
  }

  async head(key: string): Promise<ObjectHead | undefined> {
    try {
      const out = await this.#client.send(new this.#sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: out.ContentLength ?? 0,
        modified: out.LastModified?.getTime() ?? 0,
        metadata: out.Metadata ?? {},
      };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.#client.send(new this.#sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** The object's bytes as a stream (the SDK's response body: bounded memory, however large). */
  async stream(key: string): Promise<Readable | undefined> {
    try {
      const out = await this.#client.send(new this.#sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return out.Body as Readable;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async put(
    key: string,
    body: Buffer,
    metadata?: Record<string, string>,
    contentType?: string,
  ): Promise<void> {
    await this.#client.send(
      new this.#sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        Metadata: metadata,
        ContentType: contentType,
      }),
    );
  }

  /** Deletes an object; one that is not there is fine. */
  async delete(key: string): Promise<void> {
    try {
      await this.#client.send(new this.#sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  async *list(prefix: string): AsyncGenerator<ListedObject> {
    let token: string | undefined;
    do {
      const out = await this.#client.send(
        new this.#sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of out.Contents ?? []) {
        yield { key: item.Key!, size: item.Size ?? 0, modified: item.LastModified?.getTime() ?? 0 };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  /** Multipart uploads whose key starts with `prefix`, oldest first. */
  async uploads(prefix: string): Promise<MultipartUpload[]> {
    const found: MultipartUpload[] = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const out = await this.#client.send(
        new this.#sdk.ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: idMarker,
        }),
      );
      for (const upload of out.Uploads ?? []) {
        found.push({
          key: upload.Key!,
          uploadId: upload.UploadId!,
          initiated: upload.Initiated?.getTime() ?? 0,
        });
      }
      if (!out.IsTruncated) break;
      keyMarker = out.NextKeyMarker;
      idMarker = out.NextUploadIdMarker;
    }
    return found.sort((a, b) => a.initiated - b.initiated);
  }

  async createUpload(key: string): Promise<string> {
    const out = await this.#client.send(
      new this.#sdk.CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }),
    );
    return out.UploadId!;
  }

  /** Every part, in order; none for an upload that is not there (RGW answers NoSuchKey, AWS NoSuchUpload). */
  async parts(key: string, uploadId: string): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    try {
      for (;;) {
        const out = await this.#client.send(
          new this.#sdk.ListPartsCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        );
        for (const part of out.Parts ?? []) {
          parts.push({ number: part.PartNumber!, size: part.Size ?? 0, etag: part.ETag! });
        }
        if (!out.IsTruncated) break;
        marker = out.NextPartNumberMarker;
      }
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    return parts.sort((a, b) => a.number - b.number);
  }

  async uploadPart(key: string, uploadId: string, number: number, body: Buffer): Promise<StoredPart> {
    const out = await this.#client.send(
      new this.#sdk.UploadPartCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: number,
        Body: body,
        ContentLength: body.length,
      }),
    );
    return { number, size: body.length, etag: out.ETag! };
  }

  /** Makes object `source` (in this bucket) part `number`, without its bytes passing through us. */
  async copyPart(
    key: string,
    uploadId: string,
    number: number,
    source: string,
    size: number,
  ): Promise<StoredPart> {
    const out = await this.#client.send(
      new this.#sdk.UploadPartCopyCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: number,
        CopySource: `${this.bucket}/${source.split('/').map(encodeURIComponent).join('/')}`,
      }),
    );
    return { number, size, etag: out.CopyPartResult!.ETag! };
  }

  async completeUpload(key: string, uploadId: string, parts: StoredPart[]): Promise<void> {
    const list: Part[] = parts.map((part) => ({ PartNumber: part.number, ETag: part.etag }));
    await this.#client.send(
      new this.#sdk.CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: list },
      }),
    );
  }

  /** Aborts a multipart upload; one already gone is fine. */
  async abortUpload(key: string, uploadId: string): Promise<void> {
    try {
      await this.#client.send(
        new this.#sdk.AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      );
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
}
