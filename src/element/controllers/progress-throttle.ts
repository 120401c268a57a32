import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Progress is drawn at most this often (ms). Browsers report upload progress about every 50 ms; at 4 per
 * second the bar and time left still move smoothly, and the page's rendering leaves the CPU to the upload.
 */
export const PROGRESS_RENDER_MS = 250;

/** Draws bursts of progress at most every `ms`; each render costs style, layout and paint. */
export class ProgressThrottleController implements ReactiveController {
  private _rendered = 0;
  private _timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly _host: ReactiveControllerHost,
    private readonly _ms = PROGRESS_RENDER_MS,
  ) {
    _host.addController(this);
  }

  /** Asks for a render: now when `urgent` or the last is `ms` old, else once when it will be. */
  request(urgent?: boolean): void {
    const wait = urgent ? 0 : this._rendered + this._ms - Date.now();
    if (wait <= 0) return this._host.requestUpdate();
    this._timer ??= setTimeout(() => {
      this._timer = undefined;
      this._host.requestUpdate();
    }, wait);
  }

  hostUpdated(): void {
    this._rendered = Date.now();
  }

  hostDisconnected(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
  }
}
