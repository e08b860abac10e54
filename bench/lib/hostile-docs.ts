/**
 * Hostile GraphQL documents, each at two sizes: the size and ten times it, so that a
 * rejection whose cost grows with the input shows. All are aimed at the public, API-key field
 * `uploadPolicy` or at `Query` itself.
 */

export type HostileKind = 'aliases' | 'nesting' | 'duplicates' | 'tokens';

export interface HostileCase {
  readonly kind: HostileKind;
  readonly size: number;
  readonly label: string;
}

export const HOSTILE_CASES: readonly HostileCase[] = [
  { kind: 'aliases', size: 10_000, label: '10,000 aliases' },
  { kind: 'aliases', size: 100_000, label: '100,000 aliases' },
  { kind: 'nesting', size: 1_000, label: '1,000-deep nesting' },
  { kind: 'nesting', size: 10_000, label: '10,000-deep nesting' },
  { kind: 'duplicates', size: 5_000, label: '5,000 duplicated fields' },
  { kind: 'duplicates', size: 50_000, label: '50,000 duplicated fields' },
  { kind: 'tokens', size: 100_000, label: '100,000 tokens' },
  { kind: 'tokens', size: 1_000_000, label: '1,000,000 tokens' },
];

/** The document; `nonce` goes into a leading comment so that no two requests share a cache entry. */
export function hostileDocument(kind: HostileKind, size: number, nonce: string): string {
  const head = `# ${nonce}\n`;
  switch (kind) {
    case 'aliases':
      // One resolver call per alias if it ran: the amplification attack.
      return `${head}query {${Array.from({ length: size }, (_, i) => ` a${i}: uploadPolicy { maxBytes }`).join('')} }`;
    case 'nesting':
      // Valid at any depth: inline fragments on Query inside each other.
      return `${head}query { ${'... on Query { '.repeat(size)}__typename${' }'.repeat(size)} }`;
    case 'duplicates':
      // The same field over and over: cheap to send, quadratic for field-merging validation.
      return `${head}query { uploadPolicy {${' maxBytes'.repeat(size)} } }`;
    case 'tokens':
      // A flat list: `size` tokens with no nesting and no fields, only lexing and parsing.
      return `${head}query Q($v: [Int] = [${'0 '.repeat(size - 12)}]) { __typename }`;
  }
}
