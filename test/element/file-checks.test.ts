import { expect } from '@open-wc/testing';
import { accepts, checkFiles, type FileLimits } from '../../src/element/file-checks.js';
import { defaultI18n } from '../../src/element/i18n.js';

const file = (name: string, size = 10, type = '') => new File([new Uint8Array(size)], name, { type });
/** The element's side of the checks, with `listed` files already in its list. */
interface Rules extends FileLimits {
  accept: string;
  multiple: boolean;
  listed: number;
}
const rules = (over: Partial<Rules> = {}): Rules => ({
  accept: '',
  multiple: true,
  maxFileSize: Infinity,
  maxFiles: Infinity,
  listed: 0,
  ...over,
});
const check = (files: File[], r: Rules, t = defaultI18n) =>
  checkFiles(files, { accept: r.accept, multiple: r.multiple, items: Array(r.listed).fill(null) }, r, t);
/** The outcome as [name, reason or 'taken'], in the order given. */
function outcome(files: File[], r: Rules): string[][] {
  const { taken, rejected } = check(files, r);
  return files.map((f) => [
    f.name,
    rejected.find((d) => d.file === f)?.reason ?? (taken.includes(f) ? 'taken' : '?'),
  ]);
}

describe('file checks (accept, max-file-size, max-files, multiple)', () => {
  it('accept reads extensions, exact types and type/*, case-insensitively, as the file input does', () => {
    const pdf = file('Scan.PDF');
    const png = file('cat', 10, 'image/png');
    const txt = file('notes.txt', 10, 'text/plain');
    expect([pdf, png, txt].map((f) => accepts(f, '.pdf, IMAGE/*'))).to.deep.equal([true, true, false]);
    expect([pdf, png, txt].map((f) => accepts(f, 'text/plain'))).to.deep.equal([false, false, true]);
    expect([pdf, png, txt].map((f) => accepts(f, ' , '))).to.deep.equal([true, true, true]);
  });

  it('takes the files that pass, keeps their order, and says why each other one was turned away', () => {
    const files = [file('a.pdf'), file('b.txt'), file('c.pdf', 2000), file('d.pdf'), file('e.pdf')];
    const { taken, rejected } = check(
      files,
      rules({ accept: '.pdf', maxFileSize: 1000, maxFiles: 3, listed: 1 }),
    );
    expect(taken.map((f) => f.name)).to.deep.equal(['a.pdf', 'd.pdf']);
    expect(rejected.map(({ file: f, reason, message }) => [f.name, reason, message])).to.deep.equal([
      ['b.txt', 'type', 'b.txt is not an accepted file type'],
      ['c.pdf', 'size', 'c.pdf is larger than 1 kB'],
      ['e.pdf', 'count', 'e.pdf was not added: too many files'],
    ]);
  });

  it('without multiple, the first file that passes is taken and every later one is "count"', () => {
    const files = [file('big.bin', 50), file('a.bin'), file('b.bin')];
    expect(outcome(files, rules({ multiple: false, maxFileSize: 20 }))).to.deep.equal([
      ['big.bin', 'size'],
      ['a.bin', 'taken'],
      ['b.bin', 'count'],
    ]);
  });

  it('max-files counts the files already listed; a size at the limit passes', () => {
    expect(
      outcome([file('a.bin', 20), file('b.bin')], rules({ maxFiles: 2, listed: 1, maxFileSize: 20 })),
    ).to.deep.equal([
      ['a.bin', 'taken'],
      ['b.bin', 'count'],
    ]);
    expect(outcome([file('a.bin')], rules({ maxFiles: 2, listed: 2 }))).to.deep.equal([['a.bin', 'count']]);
  });

  it('words the messages with the strings given (a locale)', () => {
    const t = { ...defaultI18n, rejectSize: (name: string, max: string) => `${name} > ${max}` };
    const { rejected } = check([file('big.bin', 1_500_000)], rules({ maxFileSize: 1_000_000 }), t);
    expect(rejected[0].message).to.equal('big.bin > 1 MB');
  });
});
