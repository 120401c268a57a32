import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { persistOption, persistSize, warnOnce } from '../../src/element/options.js';

describe('element options', () => {
  afterEach(() => sinon.restore());

  it('warnOnce tells each bad value once, as the attribute holds it, and a new bad value again', () => {
    const warn = sinon.stub(console, 'warn');
    const el = document.createElement('resumable-upload');
    el.setAttribute('chunk-size', ' 1e3');
    const tell = warnOnce(el);
    tell('chunk-size', 'a whole number of bytes', 'NaN', '0');
    tell('chunk-size', 'a whole number of bytes', 'NaN', '0');
    tell('concurrency', 'a whole number of at least 1', '0', '2');
    el.setAttribute('chunk-size', 'ten');
    tell('chunk-size', 'a whole number of bytes', 'NaN', '0');
    expect(warn.args.map((a) => a[0])).to.deep.equal([
      '<resumable-upload>: chunk-size=" 1e3" is not valid; use a whole number of bytes. Using the default, 0.',
      '<resumable-upload>: concurrency="0" is not valid; use a whole number of at least 1. Using the default, 2.',
      '<resumable-upload>: chunk-size="ten" is not valid; use a whole number of bytes. Using the default, 0.',
    ]);
    const other = document.createElement('resumable-upload');
    other.setAttribute('chunk-size', 'ten');
    warnOnce(other)('chunk-size', 'a whole number of bytes', 'NaN', '0');
    expect(warn.callCount, 'another element tells its own').to.equal(4);
  });

  it('persist: "false", "off" and "0" are off like false; "" and "true" are on; a size is the engine\'s to read', () => {
    const read = (v: string | null) => persistSize.fromAttribute(v);
    expect([null, 'false', 'FALSE', ' off ', '0'].map(read)).to.deep.equal([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['', 'true', 'True'].map(read)).to.deep.equal([true, true, true]);
    expect(['2GB', '500MiB', 'lots'].map(read)).to.deep.equal(['2GB', '500MiB', 'lots']);
    // Set as a property (a framework passing the attribute's text), the engine gets the same; 0 is off there too.
    expect([false, true, 0, 5e9, 'false', 'off', '', '2GB'].map(persistOption)).to.deep.equal([
      false,
      true,
      false,
      5e9,
      false,
      false,
      true,
      '2GB',
    ]);
    expect([false, true, '2GB'].map(persistSize.toAttribute)).to.deep.equal([null, '', '2GB']);
  });
});
