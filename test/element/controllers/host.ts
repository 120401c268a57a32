// A bare host for one controller at a time: a LitElement that renders nothing and counts its updates.
import { LitElement } from 'lit';

export class TestHost extends LitElement {
  updates = 0;
  protected override updated(): void {
    this.updates++;
  }
}
if (!customElements.get('controller-test-host')) customElements.define('controller-test-host', TestHost);

/** A connected host, first render done. */
export async function connectedHost(): Promise<TestHost> {
  const host = document.createElement('controller-test-host') as TestHost;
  document.body.append(host);
  await host.updateComplete;
  return host;
}
