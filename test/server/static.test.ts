import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { safeRelativePath } from '../../src/server/static.js';
import type { Reply } from './helpers.js';
import { getStatus, readReply, send, start, tempDir } from './helpers.js';

/** A request whose path goes out exactly as written (a URL object would resolve `..` first). */
function rawRequest(base: string, path: string, method = 'GET'): Promise<Reply> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method, agent: false }, (res) =>
      readReply(res).then(resolve, reject),
    );
    req.on('error', reject);
    req.end();
  });
}

const SECRET = 'top secret, outside the static folders';

// Set up in the suite body (not a before hook), so the server lives until the suite's end.
describe('static files', async () => {
  const outer = await tempDir();
  await mkdir(join(outer, 'public', 'sub'), { recursive: true });
  await mkdir(join(outer, 'dist'));
  const files: Record<string, string> = {
    'public/index.html': '<!doctype html><title>demo</title>',
    'public/app.js': 'export const from = "public";',
    'public/style.css': 'body { color: red }',
    'public/data.json': '{"a":1}',
    'public/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    'public/img.png': '\x89PNG',
    'public/app.js.map': '{"version":3}',
    'public/sub/index.html': 'sub index',
    'public/.env': 'SECRET=1',
    'dist/resumable-upload.js': 'export const bundle = true;',
    'dist/app.js': 'shadowed by public',
    'secret.txt': SECRET,
  };
  for (const [path, text] of Object.entries(files)) await writeFile(join(outer, path), text);
  await symlink(join(outer, 'secret.txt'), join(outer, 'public', 'link.txt'));
  const { url: base } = await start({ static: [join(outer, 'public'), join(outer, 'dist')] });

  test('/ serves index.html, and a folder its index.html', async () => {
    const root = await rawRequest(base, '/');
    assert.equal(root.status, 200);
    assert.equal(root.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(root.text, /<title>demo/);
    assert.equal((await rawRequest(base, '/sub/')).text, 'sub index');
    assert.equal((await rawRequest(base, '/sub')).text, 'sub index');
  });

  test('each kind of file gets its Content-Type and nosniff', async () => {
    const expected: Record<string, RegExp> = {
      '/index.html': /^text\/html/,
      '/app.js': /^text\/javascript/,
      '/style.css': /^text\/css/,
      '/data.json': /^application\/json/,
      '/icon.svg': /^image\/svg\+xml$/,
      '/img.png': /^image\/png$/,
      '/app.js.map': /^application\/json/,
    };
    for (const [path, type] of Object.entries(expected)) {
      const reply = await rawRequest(base, path);
      assert.equal(reply.status, 200, path);
      assert.match(reply.headers['content-type'] ?? '', type, path);
      assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('folders are searched in order: the first one holding the file wins', async () => {
    assert.equal((await rawRequest(base, '/app.js')).text, 'export const from = "public";');
    assert.equal((await rawRequest(base, '/resumable-upload.js')).text, 'export const bundle = true;');
  });

  test('HEAD answers the headers only; other methods get 405', async () => {
    const head = await rawRequest(base, '/style.css', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String('body { color: red }'.length));
    assert.equal(head.text, '');
    const post = await rawRequest(base, '/style.css', 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  test('paths leading outside the folders, dotfiles and symlinks out are refused', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../secret.txt',
      '/sub/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '/sub\\..\\..\\secret.txt',
      `/${join(outer, 'secret.txt')}`,
      `/${encodeURIComponent(join(outer, 'secret.txt'))}`,
      '/%00/index.html',
      '/%E0%A4%A',
      '/.env',
      '/%2eenv',
      '/link.txt',
    ];
    for (const path of attempts) {
      const reply = await rawRequest(base, path);
      assert.equal(reply.status, 404, path);
      assert.ok(!reply.text.includes(SECRET) && !reply.text.includes('SECRET='), path);
    }
  });

  test('an unknown file is 404, and the protocol still answers beside the static files', async () => {
    assert.equal((await rawRequest(base, '/missing.js')).status, 404);
    assert.equal((await send(base, 'beside-static', 0, 'abc', 6)).text, '3');
    assert.equal(await getStatus(base, 'beside-static'), 3);
  });

  test('the path check itself rejects every escaping shape', () => {
    for (const url of [
      '/../x',
      '/a/../../x',
      '/%2e%2e/x',
      '/..%2Fx',
      '/a\\..\\x',
      '/%5c',
      'x',
      '/\0',
      '/%',
    ]) {
      assert.equal(safeRelativePath(url), undefined, url);
    }
    assert.equal(safeRelativePath('/'), 'index.html');
    assert.equal(safeRelativePath('/a//b.js?x=1'), 'a/b.js');
  });
});
