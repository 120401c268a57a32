// svelte/elements, reduced (checked by hand against svelte 4.2 and 5.57): attributes with both event
// spellings, and SvelteHTMLElements with its catch-all entry for unknown tags.
/* eslint-disable @typescript-eslint/no-explicit-any -- the catch-all entry is written as svelte writes it */
export interface DOMAttributes<T extends EventTarget> {
  'on:click'?: ((event: MouseEvent & { currentTarget: T }) => unknown) | null;
  onclick?: ((event: MouseEvent & { currentTarget: T }) => unknown) | null;
}
export interface HTMLAttributes<T extends EventTarget> extends DOMAttributes<T> {
  class?: string | null;
  id?: string | null;
  slot?: string | null;
  style?: string | null;
}
export interface SvelteHTMLElements {
  div: HTMLAttributes<HTMLDivElement>;
  span: HTMLAttributes<HTMLSpanElement>;
  [name: string]: { [name: string]: any };
}
