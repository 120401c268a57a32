// What the engine-fault suites share: the scripted server's worker, a fake clock, Math.random pinned so
// jitter is known, and the check that the engine sends nothing while it waits.
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import { UploadStatus } from '../../src/engine/index.js';
import { onlyItem } from '../support/engine-events.js';
import type { Harness } from '../support/engine-harness.js';
import { startMockServer, stopMockServer } from '../support/scripted-server.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

/** What each test starts with. */
export interface FaultsState {
  clock: sinon.SinonFakeTimers;
  random: sinon.SinonStub;
}

/**
 * Registers an engine-fault suite's hooks (call it inside its describe). `current` reads the harness the
 * running test made; `share` hands each test's clock and Math.random stub to the suite's variables.
 */
export function faultsFixture(current: () => Harness, share: (state: FaultsState) => void = () => {}) {
  let clock: sinon.SinonFakeTimers;

  before(startMockServer);
  after(stopMockServer);
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: NOW });
    // 0.5 makes the ±20% jitter factor exactly 1.
    const random = sinon.stub(Math, 'random').returns(0.5);
    share({ clock, random });
  });
  afterEach(() => {
    current()?.dispose();
    sinon.restore();
  });

  /** The engine sends nothing for `delay - 1` ms, then asks the status at `delay`. */
  async function expectQuietFor(delay: number): Promise<void> {
    const h = current();
    if (delay > 0) {
      await clock.tickAsync(delay - 1);
      expect(onlyItem(h.uploader).status, `status ${delay - 1} ms into a ${delay} ms wait`).to.equal(
        UploadStatus.retrying,
      );
      await h.server.expectNoRequest();
    }
    // fake-timers runs a 0 ms timer set during a tick 1 ms later.
    await clock.tickAsync(1);
  }

  return { expectQuietFor };
}
