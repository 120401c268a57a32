// preact's src/jsx.d.ts, reduced: the JSXInternal namespace that `preact` re-exports as an import alias.
/* eslint-disable @typescript-eslint/no-empty-object-type -- written as preact writes it */
import type { HTMLAttributes } from './dom.js';
import type { VNode } from './index.js';

export namespace JSXInternal {
  interface IntrinsicAttributes {
    key?: unknown;
  }
  interface Element extends VNode<unknown> {}
  interface ElementChildrenAttribute {
    children: unknown;
  }
  interface IntrinsicElements {
    div: HTMLAttributes<HTMLDivElement>;
    span: HTMLAttributes<HTMLSpanElement>;
  }
}
