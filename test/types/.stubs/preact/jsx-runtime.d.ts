// preact/jsx-runtime: where `jsxImportSource: preact` finds the JSX namespace.
import { JSXInternal } from './jsx.js';
export { JSXInternal as JSX };
