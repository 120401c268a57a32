// One RGW per test suite: started with its bucket before the suite's tests, stopped after them.
import { after, before } from 'node:test';
import type { S3Client } from '@aws-sdk/client-s3';
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
