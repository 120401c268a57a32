import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  getStatus,
  keyOf,
  openRequest,
  randomData,
  request,
  runCli,
  send,
  startCli,
  tempDir,
  waitFor,
} from './helpers.js';

describe('resumable-upload-server CLI', () => {
  test('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const flag of [
      '--port',
      '--host',
      '--dir',
      '--static',
      '--max-size',
      '--cors-origin',
      '--protocols',
      '--files-path',
      '--store',
      '--s3-endpoint',
      '--redis',
    ]) {
      assert.ok(stdout.includes(flag), flag);
    }
  });

  test('a bad flag or value prints why and exits 2', async () => {
    const cases = [
      ['--nope'],
      ['--port', 'abc'],
      ['--port', '70000'],
      ['--max-size', '1e6'],
      ['stray'],
      ['--dir'],
      ['--protocols', 'tus,ftp'],
      ['--protocols', ''],
      ['--files-path', '../up'],
      ['--store', 'ftp://bucket'],
      ['--store', 's3://'],
      ['--s3-endpoint', 'http://127.0.0.1:9000'],
      ['--store', 's3://bucket/p', '--s3-endpoint', 'not a url'],
      ['--redis', 'localhost:6379'],
    ];
    const results = await Promise.all(cases.map((args) => runCli(args)));
    for (const [i, { code, stderr }] of results.entries()) {
      const args = cases[i].join(' ');
      assert.equal(code, 2, args);
      assert.match(stderr, /^resumable-upload-server: .+/, args);
      assert.match(stderr, /Usage:/, args);
    }
  });

  test('serves all three protocols by default; --protocols and --files-path choose', async () => {
    const all = await startCli(['--port', '0', '--dir', await tempDir()]);
    const tus = { 'Tus-Resumable': '1.0.0', 'Upload-Length': '3' };
    const ietf = { 'Upload-Draft-Interop-Version': '8', 'Upload-Complete': '?0' };
    assert.equal((await request(`${all.url}/files/`, { method: 'POST', headers: tus })).status, 201);
    assert.equal((await request(`${all.url}/files/`, { method: 'POST', headers: ietf })).status, 201);
    assert.equal(await getStatus(all.url, 'x'), 0);

    const some = await startCli([
      '--port',
      '0',
      '--dir',
      await tempDir(),
      '--protocols',
      'tus',
      '--files-path',
      '/up/',
    ]);
    const created = await request(`${some.url}/up/`, { method: 'POST', headers: tus });
    assert.equal(created.status, 201);
    assert.match(created.headers.location ?? '', /^\/up\/[A-Za-z0-9_-]{22}$/);
    assert.equal((await request(`${some.url}/files/`, { method: 'POST', headers: tus })).status, 404);
    assert.equal((await request(`${some.url}/status`, { headers: { 'X-File-Id': 'x' } })).status, 404);
    // Without the IETF module, an IETF request to the files path is tus's to refuse.
    assert.equal((await request(`${some.url}/up/`, { method: 'POST', headers: ietf })).status, 412);
  });

  test('prints one listening line, and wires --dir, --static, --max-size and --cors-origin', async () => {
    const dir = await tempDir();
    const site = await tempDir();
    await writeFile(join(site, 'index.html'), '<h1>demo</h1>');
    const cli = await startCli([
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--dir',
      dir,
      '--static',
      site,
      '--max-size',
      '100',
      '--cors-origin',
      'https://app.example',
    ]);
    assert.match(cli.output(), /^resumable-upload-server listening on http:\/\/127\.0\.0\.1:\d+\n$/);

    assert.equal((await request(`${cli.url}/`)).text, '<h1>demo</h1>');
    assert.equal((await send(cli.url, 'big', 0, 'x', 101)).status, 413);
    const ok = await send(cli.url, 'small', 0, 'hello', 5);
    assert.equal(ok.text, '5');
    assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(await readFile(join(dir, 'complete', keyOf('small')), 'utf8'), 'hello');
  });

  test('PORT and UPLOAD_DIR come from the environment', async () => {
    const dir = await tempDir();
    const cli = await startCli([], { PORT: '0', UPLOAD_DIR: dir });
    await send(cli.url, 'env', 0, 'abc', 10);
    assert.ok((await stat(join(dir, 'partial', keyOf('env')))).isFile());
  });

  test('SIGTERM closes gracefully: exit 0, and the bytes of a cut upload are kept', async () => {
    const dir = await tempDir();
    const cli = await startCli(['--port', '0', '--dir', dir]);
    const partial = join(dir, 'partial', keyOf('term'));
    const pending = openRequest(`${cli.url}/upload`, 'POST', {
      'X-File-Id': 'term',
      'X-Start-Byte': '0',
      'X-File-Size': '100000',
      'Content-Length': '100000',
    });
    pending.response.catch(() => undefined);
    pending.req.on('error', () => undefined);
    pending.req.write(randomData(30_000));
    await waitFor('bytes on disk', async () =>
      (await stat(partial).catch(() => null))?.size === 30_000 ? true : undefined,
    );
    cli.child.kill('SIGTERM');
    assert.deepEqual(await cli.exited, { code: 0, signal: null });

    const again = await startCli(['--port', '0', '--dir', dir]);
    assert.equal(await getStatus(again.url, 'term'), 30_000);
  });
});
