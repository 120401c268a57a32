// preact's src/dom.d.ts, reduced to what the typings lean on (checked by hand against preact 10.29 and 11.2).
import type { ComponentChildren, Ref } from './index.js';

export interface HTMLAttributes<RefType extends EventTarget = EventTarget> {
  class?: string;
  id?: string;
  slot?: string;
  style?: string | Record<string, string | number>;
  children?: ComponentChildren;
  ref?: Ref<RefType>;
  onClick?: (this: never, event: MouseEvent & { currentTarget: RefType }) => void;
}
