// The options are declared in one table (elementDefaults in src/element/options.ts); Lit's static
// properties and the manifest's JSDoc must stay literal, so these tests fail when one place drifts.
import { expect } from '@open-wc/testing';
import { defaultOptions } from '../../src/engine/options.js';
import { elementDefaults } from '../../src/element/options.js';
import { RESUMABLE_UPLOAD_EVENT_NAMES } from '../../src/element/events.js';
import { UPLOAD_EVENT_NAMES } from '../../src/engine/events.js';
import { ResumableUpload } from '../../src/element/resumable-upload.js';
import '../../src/element/define.js';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
/** Engine options the element sets in its own terms, or not at all. */
const NOT_ONE_TO_ONE = new Set(['protocol', 'autoStart', 'minChunkSize', 'transport']);

describe('<resumable-upload> options: one table', () => {
  const properties = ResumableUpload.elementProperties;
  const table = elementDefaults();

  it('has a property for every engine option, of the same name and default', () => {
    const engine = defaultOptions();
    const el = document.createElement('resumable-upload');
    for (const [name, value] of Object.entries(engine)) {
      if (NOT_ONE_TO_ONE.has(name)) continue;
      expect(properties.has(name as keyof ResumableUpload), name).to.equal(true);
      expect(el[name as keyof ResumableUpload], name).to.deep.equal(value);
    }
    expect(el.manual).to.equal(!engine.autoStart);
    expect(el.protocol).to.equal(engine.protocol.name);
  });

  it('declares exactly the properties of the table, each with its default and a kebab-case attribute', () => {
    expect([...properties.keys()].sort()).to.deep.equal(Object.keys(table).sort());
    const el = document.createElement('resumable-upload');
    for (const [name, value] of Object.entries(table)) {
      const { attribute } = properties.get(name as keyof ResumableUpload)!;
      if (attribute !== false) expect(attribute ?? name, name).to.equal(kebab(name));
      expect(el[name as keyof ResumableUpload], name).to.deep.equal(value);
    }
  });

  it('documents every property of the table in custom-elements.json, with its attribute and default', async () => {
    type Field = { kind: string; name: string; attribute?: string; default?: string };
    const manifest = await (await fetch('/custom-elements.json')).json();
    const element = manifest.modules
      .flatMap((m: { declarations?: unknown[] }) => m.declarations ?? [])
      .find((d: { tagName?: string }) => d.tagName === 'resumable-upload');
    const fields = new Map<string, Field>(element.members.map((m: Field) => [m.name, m]));
    // The JSDoc `@default` as written: 'text', [1, 2], {}, Infinity, false.
    const written = (v: unknown) =>
      typeof v === 'string'
        ? `'${v}'`
        : Array.isArray(v)
          ? `[${v.join(', ')}]`
          : v && typeof v === 'object'
            ? '{}'
            : String(v);
    for (const [name, value] of Object.entries(table)) {
      const field = fields.get(name);
      expect(field, name).to.not.equal(undefined);
      const { attribute } = properties.get(name as keyof ResumableUpload)!;
      expect(field!.attribute, name).to.equal(attribute === false ? undefined : kebab(name));
      if (typeof value !== 'function') expect(field!.default, name).to.equal(written(value));
    }
  });

  it('lists every event the engine dispatches, and file-reject', () => {
    expect(RESUMABLE_UPLOAD_EVENT_NAMES).to.deep.equal([...UPLOAD_EVENT_NAMES, 'file-reject']);
  });
});
