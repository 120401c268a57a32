import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * What the live region says: messages queued between two renders are read together, and a render starts
 * the next batch, so a screen reader hears each message once.
 */
export class AnnouncerController implements ReactiveController {
  private _messages: string[] = [];
  private _read = true;

  constructor(host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** The live region's text for this render. */
  get text(): string {
    return this._messages.join(' ');
  }

  /** Queues a message; the host renders it with the others of this update. */
  announce(message: string): void {
    if (this._read) this._messages = [];
    this._read = false;
    this._messages.push(message);
  }

  hostUpdated(): void {
    this._read = true;
  }
}
