// solid-js's types/index.d.ts, reduced to its JSX re-export.
import type { JSX } from './jsx.js';
export type { JSX };
