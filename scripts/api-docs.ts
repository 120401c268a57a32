// `npm run docs`: writes README's API reference, between <!-- api:start --> and <!-- api:end -->, from
// custom-elements.json. test/frameworks/api-docs.test.ts fails when the README section is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

export const START = '<!-- api:start -->';
export const END = '<!-- api:end -->';

const root = new URL('../', import.meta.url);
const README = fileURLToPath(new URL('README.md', root));

interface Doc {
  name: string;
  description?: string;
  type?: { text: string };
  default?: string;
}
interface Member extends Doc {
  kind: 'field' | 'method';
  static?: boolean;
  privacy?: string;
  readonly?: boolean;
  attribute?: string;
  parameters?: { name: string; optional?: boolean; type?: { text: string } }[];
  return?: { type?: { text: string } };
}
interface Declaration {
  customElement?: boolean;
  tagName?: string;
  summary?: string;
  description?: string;
  members?: Member[];
  events?: Doc[];
  slots?: Doc[];
  cssParts?: Doc[];
  cssProperties?: Doc[];
}
/** The part of custom-elements.json (schema 2.x) the reference reads. */
export interface Manifest {
  modules: { declarations?: Declaration[] }[];
}

const code = (text?: string) => (text ? `\`${text}\`` : '');
/** A table cell: pipes escaped, line breaks joined. */
const cell = (text: string = '') =>
  String(text)
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');

function table(head: string[], rows: (string | undefined)[][]): string {
  if (!rows.length) return '';
  const line = (cells: (string | undefined)[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** What `on…` listener each framework binds `name` with. */
function listeners(name: string): string {
  const pascal = name.replace(/(^|-)(\w)/g, (_m, _dash, c: string) => c.toUpperCase());
  return `React 19, Preact, Svelte 5: \`on${name}\`; Vue: \`@${name}\`; Solid, Svelte 4: \`on:${name}\`; \`resumable-upload/react\`: \`on${pascal}\``;
}

/** A heading, its text and table; nothing when the table is empty. */
function section(title: string, intro: string, body: string, outro = ''): string {
  return body ? [`#### ${title}`, intro, body, outro].filter(Boolean).join('\n\n') : '';
}

function element(decl: Declaration): string {
  const members = (decl.members ?? []).filter(
    (m) => !m.static && (m.privacy ?? 'public') === 'public' && !m.name.startsWith('_'),
  );
  const fields = members.filter((m) => m.kind === 'field');
  const settable = fields.filter((m) => !m.readonly);
  const readonly = fields.filter((m) => m.readonly);
  // Platform callbacks (formResetCallback, …) are the browser's to call, not the page's.
  const methods = members.filter((m) => m.kind === 'method' && !m.name.endsWith('Callback'));
  const signature = (m: Member) =>
    `${m.name}(${(m.parameters ?? []).map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.type?.text ?? 'unknown'}`).join(', ')})` +
    `: ${m.return?.type?.text ?? 'void'}`;
  const detail = (type: string = '') => /^CustomEvent<(.+)>$/.exec(type)?.[1] ?? type;

  const events = decl.events ?? [];
  return [
    `### \`<${decl.tagName}>\``,
    [decl.summary, decl.description].filter(Boolean).join('\n\n'),
    section(
      'Attributes and properties',
      'Each attribute has a property of the camelCase name; the properties without an attribute take objects and functions, so set them from script or through your framework.',
      table(
        ['Attribute', 'Property', 'Type', 'Default', 'Description'],
        settable.map((m) => [
          m.attribute ? code(m.attribute) : '—',
          code(m.name),
          code(m.type?.text),
          code(m.default),
          m.description,
        ]),
      ),
    ),
    section(
      'Read-only properties',
      '',
      table(
        ['Property', 'Type', 'Description'],
        readonly.map((m) => [code(m.name), code(m.type?.text), m.description]),
      ),
    ),
    section(
      'Methods',
      '',
      table(
        ['Method', 'Description'],
        methods.map((m) => [code(signature(m)), m.description]),
      ),
    ),
    section(
      'Events',
      'Every event is a `CustomEvent` that bubbles and crosses shadow roots; the detail types are exported by the package.',
      table(
        ['Event', 'Detail', 'Description'],
        events.map((e) => [code(e.name), code(detail(e.type?.text)), e.description]),
      ),
      `Listen in templates with ${listeners('upload-progress')}.`,
    ),
    section(
      'Slots',
      '',
      table(
        ['Slot', 'Description'],
        (decl.slots ?? []).map((s) => [s.name ? code(s.name) : '(default)', s.description]),
      ),
    ),
    section(
      'CSS parts',
      '',
      table(
        ['Part', 'Description'],
        (decl.cssParts ?? []).map((p) => [code(p.name), p.description]),
      ),
    ),
    section(
      'CSS custom properties',
      '',
      table(
        ['Property', 'Default', 'Description'],
        (decl.cssProperties ?? []).map((p) => [code(p.name), code(p.default), p.description]),
      ),
    ),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The Markdown between the markers, formatted as Prettier formats README.md. */
export async function renderApi(manifest: Manifest): Promise<string> {
  const elements = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .filter((d) => d.customElement && d.tagName);
  const note =
    "_Generated from `custom-elements.json` by `npm run docs`; edit the element's JSDoc, not this section._";
  const markdown = [note, ...elements.map(element)].join('\n\n');
  const options = (await resolveConfig(README)) ?? {};
  return (await format(markdown, { ...options, parser: 'markdown' })).trim();
}

/** README with its API section replaced; throws when the markers are missing. */
export function withApi(readme: string, api: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`README.md needs ${START} and ${END} around the API reference`);
  return `${readme.slice(0, start + START.length)}\n\n${api}\n\n${readme.slice(end)}`;
}

export const readManifest = (): Manifest =>
  JSON.parse(readFileSync(new URL('custom-elements.json', root), 'utf8'));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(README, 'utf8');
  const next = withApi(readme, await renderApi(readManifest()));
  if (next !== readme) writeFileSync(README, next);
  console.log(
    next === readme ? 'README.md: API reference already fresh' : 'README.md: API reference written',
  );
}
