// How the element picks its language: its own lang, an ancestor's or the document's; a loaded locale,
// then its base language, then English; the i18n property over all; a re-render on every change.
// The registry is the page's: each test uses languages no earlier test loaded, and the order matters
// where a test says so.
import { expect, html, waitUntil } from '@open-wc/testing';
import sinon from 'sinon';
import type { ResumableUpload } from '../../src/element/resumable-upload.js';
import { defaultI18n, registerLocale, registry } from '../../src/element/i18n.js';
import { makeFile, mount, part } from './helpers.js';

const dropText = (el: ResumableUpload) => part(el, 'drop-zone').textContent!.trim();
const shows = (el: ResumableUpload, text: string) =>
  waitUntil(() => dropText(el) === text, `drop zone never said "${text}"`);

const ENGLISH = 'Drop files here or click to choose';
const GERMAN = 'Dateien hier ablegen oder zum Auswählen klicken';
const FRENCH = 'Déposez des fichiers ici ou cliquez pour les choisir';
const JAPANESE = 'ここにファイルをドロップするか、クリックして選択';
const SPANISH = 'Suelta los archivos aquí o haz clic para elegirlos';
const PORTUGUESE = 'Solte os arquivos aqui ou clique para escolher';
const DUTCH = 'Sleep bestanden hierheen of klik om ze te kiezen';
const KOREAN = '여기에 파일을 놓거나 클릭하여 선택하세요';

describe('<resumable-upload> follows lang', () => {
  const htmlLang = document.documentElement.getAttribute('lang');
  afterEach(() => {
    if (htmlLang === null) document.documentElement.removeAttribute('lang');
    else document.documentElement.setAttribute('lang', htmlLang);
  });

  it('speaks English when no locale is loaded, whatever lang says, without a warning', async () => {
    const warn = sinon.spy(console, 'warn');
    const error = sinon.spy(console, 'error');
    const el = await mount(html`<resumable-upload lang="ko"></resumable-upload>`);
    expect(dropText(el)).to.equal(ENGLISH);
    expect(warn.called || error.called).to.equal(false);
  });

  it('re-renders in a language whose locale arrives after the element (a late script tag)', async () => {
    const el = await mount(html`<resumable-upload lang="ko"></resumable-upload>`);
    expect(dropText(el)).to.equal(ENGLISH);
    await import('../../src/element/locales/ko.js');
    await shows(el, KOREAN);
  });

  it('follows <html lang>, and re-renders when it changes', async () => {
    await import('../../src/element/locales/de.js');
    await import('../../src/element/locales/nl.js');
    document.documentElement.lang = 'de';
    const el = await mount(html`<resumable-upload></resumable-upload>`);
    expect(dropText(el)).to.equal(GERMAN);
    document.documentElement.lang = 'nl';
    await shows(el, DUTCH);
    document.documentElement.removeAttribute('lang');
    await shows(el, ENGLISH);
  });

  it('takes its own lang over an ancestor’s, and the closest ancestor’s over the document’s', async () => {
    await import('../../src/element/locales/fr.js');
    await import('../../src/element/locales/ja.js');
    document.documentElement.lang = 'de';
    const root = await mount(
      html`<div lang="ja">
        <resumable-upload></resumable-upload><resumable-upload lang="fr"></resumable-upload>
      </div>`,
    );
    const div = root.parentElement!;
    const [inner, own] = [...div.querySelectorAll('resumable-upload')];
    expect(dropText(inner)).to.equal(JAPANESE);
    expect(dropText(own)).to.equal(FRENCH);
    div.removeAttribute('lang');
    await shows(inner, GERMAN);
    expect(dropText(own)).to.equal(FRENCH);
    own.removeAttribute('lang');
    await shows(own, GERMAN);
  });

  it('follows a lang set outside the shadow root it sits in', async () => {
    await import('../../src/element/locales/es.js');
    const host = document.createElement('div');
    host.lang = 'es';
    document.body.append(host);
    try {
      host.attachShadow({ mode: 'open' }).innerHTML = '<resumable-upload></resumable-upload>';
      const el = host.shadowRoot!.querySelector('resumable-upload')!;
      await el.updateComplete;
      expect(dropText(el)).to.equal(SPANISH);
      host.lang = 'fr';
      await shows(el, FRENCH);
    } finally {
      host.remove();
    }
  });

  it('falls back to the base language (pt-BR -> pt), then to English, without a warning', async () => {
    await import('../../src/element/locales/pt.js');
    const warn = sinon.spy(console, 'warn');
    const el = await mount(html`<resumable-upload lang="pt-BR"></resumable-upload>`);
    expect(dropText(el)).to.equal(PORTUGUESE);
    el.lang = 'DE-at';
    await shows(el, GERMAN);
    el.lang = 'x-klingon';
    await shows(el, ENGLISH);
    expect(warn.called).to.equal(false);
  });

  it('lets the i18n property win, field by field, over the loaded locale', async () => {
    const el = await mount(html`<resumable-upload lang="de" manual></resumable-upload>`);
    el.i18n = { pause: 'Anhalten' };
    el.addFiles([makeFile(1000, 'bericht.pdf')]);
    await el.updateComplete;
    expect(part(el, 'pause-button').textContent!.trim()).to.equal('Anhalten');
    expect(part(el, 'pause-button').getAttribute('aria-label')).to.equal('bericht.pdf anhalten');
    expect(part(el, 'cancel-button').getAttribute('aria-label')).to.equal('bericht.pdf abbrechen');
    expect(part(el, 'status').textContent!.trim()).to.equal('Wartet');
    expect(part(el, 'file-size').textContent).to.equal('1 kB');
    expect(dropText(el)).to.equal(GERMAN);
    await expect(el).to.be.accessible();
  });

  it('says its rejections and form validation in the language', async () => {
    const el = await mount(html`<resumable-upload lang="de" accept=".pdf" required></resumable-upload>`);
    const rejected = new Promise<CustomEvent>((resolve) =>
      el.addEventListener('file-reject', (e) => resolve(e as CustomEvent), { once: true }),
    );
    el.addFiles([makeFile(10, 'bild.png')]);
    expect((await rejected).detail.message).to.equal('bild.png hat keinen zulässigen Dateityp');
    await el.updateComplete;
    expect(part(el, 'message').textContent).to.equal('bild.png hat keinen zulässigen Dateityp');
    expect(el.validationMessage).to.equal('Bitte eine Datei hinzufügen');
    el.lang = 'fr';
    await waitUntil(() => el.validationMessage === 'Veuillez ajouter un fichier');
  });

  it('stops following, and lets go of the element, once it leaves the page', async () => {
    document.documentElement.lang = 'nl';
    const el = await mount(html`<resumable-upload></resumable-upload>`);
    expect(dropText(el)).to.equal(DUTCH);
    expect(registry.hosts.has(el)).to.equal(true);
    const update = sinon.spy(el, 'requestUpdate');
    el.remove();
    expect(registry.hosts.has(el)).to.equal(false);
    document.documentElement.lang = 'de';
    // Mutation records are delivered in a microtask queued when the attribute changed, before this one.
    await Promise.resolve();
    expect(update.called).to.equal(false);
    document.body.append(el);
    await shows(el, GERMAN);
  });

  it('warns once about a language tag that is not one, and about a locale we do not ship', async () => {
    const warn = sinon.stub(console, 'warn');
    registerLocale('not a tag!', {} as never);
    expect(warn.callCount).to.equal(1);
    expect(warn.firstCall.args[0]).to.include('"not a tag!" is not a language tag');
    const { loadLocale } = await import('../../src/element/locales/index.js');
    expect(await loadLocale('tlh')).to.equal(false);
    expect(warn.callCount).to.equal(2);
    expect(warn.secondCall.args[0]).to.include('no locale for "tlh"').and.include('de, es');
    expect(await loadLocale('tr-TR')).to.equal(true);
    expect(warn.callCount).to.equal(2);
  });

  it('speaks a language a page registers itself through resumable-upload/locales', async () => {
    const { registerLocale: register } = await import('../../src/element/locales/index.js');
    const el = await mount(html`<resumable-upload lang="sv-SE"></resumable-upload>`);
    register('sv', { ...defaultI18n, drop: 'Släpp filer här eller klicka för att välja' });
    await shows(el, 'Släpp filer här eller klicka för att välja');
  });

  it('after `import "resumable-upload/locales"`, loads the locale a lang asks for, once, on first use', async () => {
    await import('../../src/element/locales/index.js');
    const fetched = () =>
      performance.getEntriesByType('resource').filter((e) => /locales\/it\.[jt]s/.test(e.name)).length;
    expect(fetched()).to.equal(0);
    const [first, second] = await Promise.all([
      mount(html`<resumable-upload lang="it"></resumable-upload>`),
      mount(html`<resumable-upload lang="it-CH"></resumable-upload>`),
    ]);
    await shows(first, 'Trascina qui i file o fai clic per sceglierli');
    await shows(second, 'Trascina qui i file o fai clic per sceglierli');
    expect(fetched()).to.equal(1);
  });
});
