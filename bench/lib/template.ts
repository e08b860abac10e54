/**
 * The report's prose lives in bench/templates/*.md, not in the measuring code: a template holds
 * `{{name}}` slots, and a section fills them with its formatted figures and tables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.js';

export type Slots = Readonly<Record<string, string | number>>;

/** `text` with every `{{name}}` replaced; a slot without a value, or a value without a slot, is an error. */
export function fill(text: string, slots: Slots): string {
  const used = new Set<string>();
  const out = text.replace(/\{\{\s*([A-Za-z][\w]*)\s*\}\}/g, (_, name: string) => {
    const value = slots[name];
    if (value === undefined) throw new Error(`template slot {{${name}}} has no value`);
    used.add(name);
    return String(value);
  });
  const unused = Object.keys(slots).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`template has no slot for: ${unused.join(', ')}`);
  return out;
}

/** bench/templates/<name>.md filled with `slots`, without its trailing newline. */
export function renderTemplate(name: string, slots: Slots, dir = join(BENCH_DIR, 'templates')): string {
  return fill(readFileSync(join(dir, `${name}.md`), 'utf8'), slots).replace(/\n+$/, '');
}
