import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import {
  PROGRESS_RENDER_MS,
  ProgressThrottleController,
} from '../../../src/element/controllers/progress-throttle.js';
import { connectedHost } from './host.js';

describe('ProgressThrottleController', () => {
  afterEach(() => sinon.restore());

  it('draws a burst of progress once per interval, and an urgent request at once', async () => {
    const host = await connectedHost();
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const throttle = new ProgressThrottleController(host);
    host.requestUpdate();
    await host.updateComplete;
    const before = host.updates;
    for (let i = 0; i < 10; i++) throttle.request();
    await host.updateComplete;
    expect(host.updates, 'no render inside the interval').to.equal(before);
    clock.tick(PROGRESS_RENDER_MS);
    await host.updateComplete;
    expect(host.updates, 'one render for the burst').to.equal(before + 1);
    throttle.request(true);
    await host.updateComplete;
    expect(host.updates, 'a milestone is drawn at once').to.equal(before + 2);
    host.remove();
  });

  it('drops its pending render when the host leaves the page', async () => {
    const host = await connectedHost();
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const throttle = new ProgressThrottleController(host);
    host.requestUpdate();
    await host.updateComplete;
    throttle.request();
    host.remove();
    expect(clock.countTimers()).to.equal(0);
  });
});
