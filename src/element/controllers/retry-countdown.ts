import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Renders the host when a "Retrying in N s" countdown next changes its whole seconds. */
export class RetryCountdownController implements ReactiveController {
  private _timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly _host: ReactiveControllerHost & Element,
    /** When each waiting retry starts (ms since the epoch), or null for those not waiting. */
    private readonly _retryTimes: () => readonly (number | null)[],
  ) {
    _host.addController(this);
  }

  hostUpdated(): void {
    if (this._timer !== undefined || !this._host.isConnected) return;
    const now = Date.now();
    const waits = this._retryTimes()
      .map((at) => (at ?? 0) - now)
      .filter((ms) => ms > 0);
    if (!waits.length) return;
    // The shown seconds round up, so they change when the wait next reaches a whole second.
    this._timer = setTimeout(
      () => {
        this._timer = undefined;
        this._host.requestUpdate();
      },
      ((Math.min(...waits) - 1) % 1000) + 1,
    );
  }

  hostDisconnected(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
  }
}
