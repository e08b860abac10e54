import { Lexer, Source, type Token, TokenKind } from 'graphql';
import { locationOf, scanTokens } from './token-scan.js';

/**
 * Limits checked in one pass over the lexer's tokens, before anything is parsed: a hostile
 * document is refused after at most `maxTokens` tokens, whatever its size, and never reaches the
 * parser's recursion or validation's quadratic field merging.
 *
 * The first three mirror graphql-java's parser guards (AppSync's parser; its defaults are 15,000
 * tokens, 1,048,576 characters and 500 nested grammar rules, about 165 levels of selection sets):
 * that AppSync keeps those defaults is not documented (docs/conformance.md, verify). The last two
 * are local guards with no AppSync counterpart, listed as deliberate differences.
 */
export interface DocumentLimits {
  /** Longest document, in UTF-16 code units. */
  readonly maxCharacters: number;
  /** Most tokens (comments not counted, as graphql-js counts them). */
  readonly maxTokens: number;
  /** Deepest nesting of `{` and `[`: selection sets, inline fragments, lists and input objects. */
  readonly maxNesting: number;
  /** Most aliases in the whole document. */
  readonly maxAliases: number;
  /** Most times one response name is selected in one selection set (its inline fragments merged in). */
  readonly maxFieldRepeats: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  maxCharacters: 1_048_576,
  maxTokens: 15_000,
  maxNesting: 150,
  maxAliases: 500,
  maxFieldRepeats: 100,
};

export type DocumentLimitName = 'characters' | 'tokens' | 'nesting' | 'aliases' | 'fieldRepeats';

/** Why a document was refused, and where (1-based; absent when only the length was looked at). */
export interface DocumentRefusal {
  readonly limit: DocumentLimitName;
  readonly message: string;
  readonly location: { readonly line: number; readonly column: number } | undefined;
}

/**
 * What the previous significant token was, outside arguments, inside a selection set: enough to
 * tell a response name from an alias's field, a directive, a fragment spread or a type condition.
 */
type Previous = 'open' | 'close' | 'spread' | 'on' | 'at' | 'colon' | 'response' | 'other';

/**
 * The first limit `query` breaks, or undefined. Syntax errors are left to the parser, except those
 * the lexer itself throws (a GraphQLError, as `parse` would throw).
 */
export function checkDocumentLimits(query: string, limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): DocumentRefusal | undefined {
  // Length first: it costs nothing, so a multi-megabyte document is never scanned.
  if (query.length > limits.maxCharacters) {
    return {
      limit: 'characters',
      message: `Syntax Error: Document contains more than ${limits.maxCharacters} characters. Parsing aborted.`,
      location: undefined,
    };
  }
  // The parser's limits first, over character codes (token-scan.ts): cheap enough to run to the
  // token limit, so they keep their precedence, as at AppSync, where they stop the parse.
  const scan = scanTokens(query, limits);
  if (scan.kind === 'tokens') {
    return { limit: 'tokens', message: tokensMessage(limits), location: locationOf(query, scan.offset) };
  }
  if (scan.kind === 'nesting') {
    return { limit: 'nesting', message: nestingMessage(limits), location: locationOf(query, scan.offset) };
  }
  const lexer = new Lexer(new Source(query));
  const refuse = (limit: DocumentLimitName, message: string, token: Token): DocumentRefusal => ({
    limit,
    message,
    location: { line: token.line, column: token.column },
  });
  let tokens = 0;
  let nesting = 0;
  let parens = 0;
  let aliases = 0;
  // One entry per open selection set: the counts of its response names. An inline fragment's
  // selection set shares its parent's, as graphql-js merges them; a named fragment has its own.
  const scopes: Map<string, number>[] = [];
  let previous: Previous = 'other';
  let inlineFragment = false;
  let responseName: Token | undefined;
  // Within the parser's limits: the local alias and repeat guards refuse where the flood passes
  // its limit. The token and nesting checks below only restate the scan's, for the Lexer's view.
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    tokens += 1;
    if (tokens > limits.maxTokens) {
      return refuse('tokens', tokensMessage(limits), token);
    }
    switch (token.kind) {
      case TokenKind.BRACE_L:
      case TokenKind.BRACKET_L:
        nesting += 1;
        if (nesting > limits.maxNesting) {
          return refuse('nesting', nestingMessage(limits), token);
        }
        // Outside parentheses a brace opens a selection set; inside, an input object.
        if (token.kind === TokenKind.BRACE_L && parens === 0) {
          const parent = scopes[scopes.length - 1];
          scopes.push(inlineFragment && parent ? parent : new Map());
          inlineFragment = false;
          previous = 'open';
        }
        break;
      case TokenKind.BRACE_R:
      case TokenKind.BRACKET_R:
        if (nesting > 0) nesting -= 1;
        if (token.kind === TokenKind.BRACE_R && parens === 0) {
          scopes.pop();
          previous = 'close';
        }
        break;
      case TokenKind.PAREN_L:
        parens += 1;
        break;
      case TokenKind.PAREN_R:
        if (parens > 0) parens -= 1;
        if (parens === 0) previous = 'close';
        break;
      default: {
        const scope = scopes[scopes.length - 1];
        if (parens > 0 || !scope) break;
        if (token.kind === TokenKind.SPREAD) {
          inlineFragment = true;
          previous = 'spread';
        } else if (token.kind === TokenKind.AT) {
          previous = 'at';
        } else if (token.kind === TokenKind.COLON) {
          if (previous === 'response') {
            aliases += 1;
            if (aliases > limits.maxAliases) {
              return refuse('aliases', `The document uses more than ${limits.maxAliases} aliases; it was not executed.`, responseName ?? token);
            }
          }
          previous = 'colon';
        } else if (token.kind === TokenKind.NAME) {
          previous = nameAfter(previous, token, scope);
          if (previous === 'response') responseName = token;
          if (previous === 'spread') {
            // `...Name`: a fragment spread, not an inline fragment.
            inlineFragment = false;
            previous = 'other';
          } else if (previous === 'response' && (scope.get(token.value) ?? 0) > limits.maxFieldRepeats) {
            return refuse(
              'fieldRepeats',
              `The document is too complex to validate: it selects "${token.value}" more than ${limits.maxFieldRepeats} times in one selection set; it was not executed.`,
              token,
            );
          }
        } else {
          previous = 'other';
        }
      }
    }
  }
  return undefined;
}

/**
 * Scans a synthetic document past the token limit a few times, so that V8 has optimized the scan
 * before the first real flood: unoptimized, the first scans of a 15,000-token document took about
 * 6 ms here, optimized 0.6 ms (measured). About 15 ms, once, when an engine is built.
 */
export function warmDocumentGuard(limits: DocumentLimits = DEFAULT_DOCUMENT_LIMITS): void {
  // Every kind of token a flood is made of (names, numbers, strings, punctuators, a spread), so
  // that none of them meets code V8 optimized for the others and deoptimizes it.
  const flood = `{ ${'a: b(c: [1, 2.5], d: "e", f: { g: $h }) @i ...J ... on K { l } '.repeat(Math.ceil(limits.maxTokens / 30) + 1)} }`;
  for (let i = 0; i < 4; i += 1) checkDocumentLimits(flood, limits);
}

const tokensMessage = (limits: DocumentLimits) => `Syntax Error: Document contains more than ${limits.maxTokens} tokens. Parsing aborted.`;
const nestingMessage = (limits: DocumentLimits) =>
  `Syntax Error: Document nests selection sets, lists or input objects more than ${limits.maxNesting} levels deep. Parsing aborted.`;

/**
 * A name inside a selection set, by what precedes it: a directive's name, `on` or a fragment's
 * name after `...`, a type condition, the field behind an alias, or else a response name (an
 * alias or a field), which is counted in `scope`. Returns 'spread' for a fragment spread's name.
 */
function nameAfter(previous: Previous, token: Token, scope: Map<string, number>): Previous {
  switch (previous) {
    case 'at':
    case 'colon':
      return 'other';
    case 'spread':
      return token.value === 'on' ? 'on' : 'spread';
    case 'on':
      return 'other';
    default: {
      const name = token.value;
      scope.set(name, (scope.get(name) ?? 0) + 1);
      return 'response';
    }
  }
}
