// What a user reads when the server (or something before it) says no: one line for every answer, never
// a proxy's HTML page. Request-level: MSW answers exactly what nginx, an RFC 9457 API or our server sends.
import { expect } from '@open-wc/testing';
import { Uploader, tus, type UploadError } from '../../src/engine/index.js';
import { EventLog } from '../support/engine-events.js';
import { scriptedUploader, type Harness } from '../support/engine-harness.js';
import { articleId, makeFile } from '../support/files.js';
import { ScriptedServer, startMockServer, stopMockServer } from '../support/scripted-server.js';
import { MemoryStorage } from '../support/url-storage.js';

/** nginx's own error page, byte for byte as 1.22 sends it. */
const nginxPage = (status: number, text: string) =>
  `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n`;
const HTML = { 'Content-Type': 'text/html' };

describe('error messages', () => {
  let h: Harness;

  before(startMockServer);
  after(stopMockServer);
  afterEach(() => h?.dispose());

  /** Uploads a small file whose upload POST gets this answer; the error the user is shown. */
  async function failUploadWith(
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<UploadError> {
    h = scriptedUploader({ retryDelays: [] });
    const file = makeFile(10 * 1024);
    h.uploader.add([file]);
    (await h.server.next()).expectStatus(articleId(file)).respond(200, '0');
    (await h.server.next()).expectChunk(file, articleId(file), 0, file.size).respond(status, body, headers);
    const { error } = await h.log.next('upload-error');
    expect(h.uploader.items[0].error).to.equal(error);
    return error;
  }

  const shown = (e: UploadError) => ({ message: e.message, responseText: e.responseText });

  for (const [status, text, reason] of [
    [500, 'Internal Server Error', 'Internal Server Error'],
    [502, 'Bad Gateway', 'Bad Gateway'],
    [413, 'Request Entity Too Large', 'Request Entity Too Large'],
  ] as const) {
    it(`an nginx ${status} page reads as its title, from a proxy`, async () => {
      const error = await failUploadWith(status, nginxPage(status, text), HTML);
      expect(shown(error)).to.deep.equal({
        message: `Upload failed with ${status}: ${reason} (from a proxy)`,
        responseText: `${reason} (from a proxy)`,
      });
      expect(error.status).to.equal(status);
      // The page stays available to whoever wants it.
      expect(error.response?.body).to.equal(nginxPage(status, text));
    });
  }

  it('a page without a title, and without a Content-Type, reads as the status text from a proxy', async () => {
    const error = await failUploadWith(
      503,
      '<!DOCTYPE html>\n<html><body><p>Down for maintenance</p></body></html>',
    );
    expect(shown(error)).to.deep.equal({
      message: 'Upload failed with 503: Service Unavailable (from a proxy)',
      responseText: 'Service Unavailable (from a proxy)',
    });
  });

  it('a title with entities and line breaks reads as one line', async () => {
    const error = await failUploadWith(
      403,
      '<html><head><title>\n  Access denied &amp; logged &#8212; Example WAF\n</title></head></html>',
      HTML,
    );
    expect(error.message).to.equal(
      'Upload failed with 403: Access denied & logged — Example WAF (from a proxy)',
    );
  });

  it('an RFC 9457 problem reads as its title and detail', async () => {
    const error = await failUploadWith(
      403,
      JSON.stringify({
        type: 'https://example.com/probs/out-of-credit',
        title: 'You do not have enough credit.',
        detail: 'Your current balance is 30, but that costs 50.',
        instance: '/account/12345/msgs/abc',
      }),
      { 'Content-Type': 'application/problem+json' },
    );
    expect(shown(error)).to.deep.equal({
      message:
        'Upload failed with 403: You do not have enough credit.: Your current balance is 30, but that costs 50.',
      responseText: 'You do not have enough credit.: Your current balance is 30, but that costs 50.',
    });
  });

  it('a problem with only a title reads as its title', async () => {
    const error = await failUploadWith(429, '{"title":"Slow down"}', {
      'Content-Type': 'application/problem+json',
    });
    expect(error.message).to.equal('Upload failed with 429: Slow down');
  });

  it("the server's own one-line text reason stays as it is", async () => {
    const error = await failUploadWith(413, 'X-File-Size exceeds the limit of 1048576 bytes\n');
    expect(shown(error)).to.deep.equal({
      message: 'Upload failed with 413: X-File-Size exceeds the limit of 1048576 bytes',
      responseText: 'X-File-Size exceeds the limit of 1048576 bytes',
    });
  });

  it('an empty body reads as the status text', async () => {
    const error = await failUploadWith(507, '');
    expect(shown(error)).to.deep.equal({
      message: 'Upload failed with 507: Insufficient Storage',
      responseText: 'Insufficient Storage',
    });
  });

  it('an empty body with a status no table knows reads as the bare status', async () => {
    const error = await failUploadWith(499, '');
    expect(shown(error)).to.deep.equal({ message: 'Upload failed with 499', responseText: '' });
  });

  it('a status URL answering a web page says it is not an upload endpoint, not the page', async () => {
    h = scriptedUploader({ retryDelays: [] });
    const file = makeFile(1024);
    h.uploader.add([file]);
    (await h.server.next())
      .expectStatus(articleId(file))
      .respond(200, '<!doctype html><html><head><title>My app</title></head></html>', HTML);
    const { error } = await h.log.next('upload-error');
    expect(shown(error)).to.deep.equal({
      message: 'Status answered a web page, not a byte count: status-url is not an upload endpoint',
      responseText: '',
    });
  });

  describe('tus', () => {
    let server: ScriptedServer;
    let uploader: Uploader;
    beforeEach(() => {
      server = new ScriptedServer();
      uploader = new Uploader({
        protocol: tus({ storage: new MemoryStorage() }),
        endpoint: server.endpoint,
        retryDelays: [],
      });
    });
    afterEach(() => {
      uploader.clear();
      server.close();
    });

    async function failCreationWith(status: number, body: string, headers: Record<string, string>) {
      const log = new EventLog(uploader);
      uploader.add([makeFile(1024)]);
      (await server.next()).expectRequest('POST', server.endpoint).respond(status, body, headers);
      return (await log.next('upload-error')).error;
    }

    it("the tus server's own text reason stays as it is", async () => {
      const error = await failCreationWith(413, 'Upload-Length exceeds the limit', {
        'Tus-Resumable': '1.0.0',
      });
      expect(error.message).to.equal('Creation failed with 413: Upload-Length exceeds the limit');
    });

    it('a text answer without Tus-Resumable came from a proxy', async () => {
      const error = await failCreationWith(403, 'error code: 1020', {});
      expect(shown(error)).to.deep.equal({
        message: 'Creation failed with 403: error code: 1020 (from a proxy)',
        responseText: 'error code: 1020 (from a proxy)',
      });
    });

    it('an nginx 502 page on a PATCH reads as its title, from a proxy', async () => {
      const log = new EventLog(uploader);
      const file = makeFile(1024);
      uploader.add([file]);
      (await server.next())
        .expectRequest('POST', server.endpoint)
        .respond(201, '', { 'Tus-Resumable': '1.0.0', Location: `${server.endpoint}a1` });
      (await server.next())
        .expectRequest('PATCH', `${server.endpoint}a1`)
        .respond(502, nginxPage(502, 'Bad Gateway'), HTML);
      const { error } = await log.next('upload-error');
      expect(error.message).to.equal('Upload failed with 502: Bad Gateway (from a proxy)');
    });
  });
});
