import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { localeFor, registry, type ResumableUploadI18n } from '../i18n.js';

/**
 * Follows the language that applies to the host, as `:lang()` would: its own `lang`, else its closest
 * ancestor's, across shadow roots, else none (English). Renders the host when that changes, or when a
 * locale for it is registered. Its observer watches `lang` attributes in each tree up to the one that decides.
 */
export class LangController implements ReactiveController {
  private _lang = '';
  /** Made on connection: server rendering may construct the element where no MutationObserver exists. */
  private _observer?: MutationObserver;

  constructor(private readonly _host: ReactiveControllerHost & Element) {
    _host.addController(this);
  }

  /** The loaded locale for the host's language, if any. */
  get locale(): ResumableUploadI18n | undefined {
    return localeFor(this._lang);
  }

  hostConnected(): void {
    registry.hosts.add(this._host);
    this._observer ??= new MutationObserver(() => this._follow());
    this._follow();
  }

  hostDisconnected(): void {
    registry.hosts.delete(this._host);
    this._observer?.disconnect();
  }

  private _follow(): void {
    let lang = '';
    for (let node: Element | undefined = this._host; node;) {
      const root = node.getRootNode() as ShadowRoot | Document;
      // Observing again is harmless; a removed inner `lang` brings the outer trees in on the next walk.
      this._observer?.observe(root, { attributeFilter: ['lang'], subtree: true });
      const found = node.closest('[lang]');
      if (found) {
        lang = found.getAttribute('lang') ?? '';
        break;
      }
      node = (root as ShadowRoot).host;
    }
    if (lang === this._lang) return;
    this._lang = lang;
    if (lang && !this.locale) registry.load?.(lang);
    this._host.requestUpdate();
  }
}
