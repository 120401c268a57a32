// package.json `exports` targets with a `*` (`./dist/locales/*.js`), as Node resolves them against the build.
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** What `*` stands for in each built file `pattern` (relative to `root`) matches; [] when none does. */
export function starMatches(root: string, pattern: string): string[] {
  const [head, tail] = pattern.split('*');
  const folder = join(root, dirname(head + 'x'));
  const prefix = basename(head + 'x').slice(0, -1);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.startsWith(prefix) && f.endsWith(tail) && f.length >= prefix.length + tail.length)
    .map((f) => f.slice(prefix.length, f.length - tail.length));
}
