// solid-js's types/jsx.d.ts, reduced (checked by hand against solid-js 1.9): one exported JSX namespace,
// which `solid-js` re-exports with `export type { JSX }` and `solid-js/jsx-runtime` points at directly.
/* eslint-disable @typescript-eslint/no-empty-object-type -- written as solid-js writes it */
export namespace JSX {
  type Element = Node | ArrayElement | (string & {}) | number | boolean | null | undefined;
  interface ArrayElement extends Array<Element> {}
  interface ElementChildrenAttribute {
    children: {};
  }
  interface CustomEvents {}
  type OnAttributes<T> = {
    [Key in keyof CustomEvents as `on:${Key}`]?: (event: CustomEvents[Key] & { currentTarget: T }) => void;
  };
  interface HTMLAttributes<T> extends OnAttributes<T> {
    ref?: T | ((el: T) => void);
    children?: Element;
    class?: string;
    id?: string;
    slot?: string;
    classList?: { [k: string]: boolean | undefined };
    onClick?: (event: MouseEvent & { currentTarget: T }) => void;
  }
  interface IntrinsicElements {
    div: HTMLAttributes<HTMLDivElement>;
    span: HTMLAttributes<HTMLSpanElement>;
  }
}
