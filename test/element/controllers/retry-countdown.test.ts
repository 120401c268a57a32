import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { RetryCountdownController } from '../../../src/element/controllers/retry-countdown.js';
import { connectedHost } from './host.js';

describe('RetryCountdownController', () => {
  afterEach(() => sinon.restore());

  it('renders when the shown whole seconds of the nearest retry change, and stops when none waits', async () => {
    const host = await connectedHost();
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    let retryAt: number | null = Date.now() + 2500;
    new RetryCountdownController(host, () => [null, retryAt]);
    host.requestUpdate();
    await host.updateComplete;
    const before = host.updates;
    // 2.5 s shows as 3 s until 2 s are left: the first tick is 500 ms away.
    clock.tick(499);
    await host.updateComplete;
    expect(host.updates).to.equal(before);
    clock.tick(1);
    await host.updateComplete;
    expect(host.updates).to.equal(before + 1);
    clock.tick(1000);
    await host.updateComplete;
    expect(host.updates).to.equal(before + 2);
    retryAt = null;
    clock.tick(1000);
    await host.updateComplete;
    expect(host.updates).to.equal(before + 3);
    expect(clock.countTimers(), 'nothing left to count down').to.equal(0);
    host.remove();
  });

  it('stops counting when the host leaves the page', async () => {
    const host = await connectedHost();
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    new RetryCountdownController(host, () => [Date.now() + 5000]);
    host.requestUpdate();
    await host.updateComplete;
    expect(clock.countTimers()).to.equal(1);
    host.remove();
    expect(clock.countTimers()).to.equal(0);
  });
});
