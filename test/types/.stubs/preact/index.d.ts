// preact's src/index.d.ts, reduced: a UMD global, JSX as `export import JSX = JSXInternal`, dom re-exported.
/* eslint-disable @typescript-eslint/no-empty-object-type -- written as preact writes it */
export as namespace preact;

import { JSXInternal } from './jsx.js';

export import JSX = JSXInternal;
export * from './dom.js';

export interface VNode<P = {}> {
  type: string | ((props: P) => VNode | null);
  props: P;
}
export type ComponentChild = VNode<unknown> | object | string | number | bigint | boolean | null | undefined;
export type ComponentChildren = ComponentChild[] | ComponentChild;
export type Ref<T> = { current: T | null } | ((instance: T | null) => void) | null;
