import { Lexer, Source, TokenKind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { locationOf, scanTokens } from '../../../local/graphql/token-scan.js';

/** The character-code scan must count what graphql-js's Lexer counts, or the limits would drift. */

function lexerCount(body: string): number {
  const lexer = new Lexer(new Source(body));
  let count = 0;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) count += 1;
  return count;
}

/** The most tokens a limit can be set to and still let `body` through: its count. */
function scanCount(body: string): number {
  let low = 0;
  while (scanTokens(body, { maxTokens: low, maxNesting: 1_000 }).kind === 'tokens') low += 1;
  return low;
}

describe('the token scan', () => {
  it.each([
    ['punctuators and a spread', 'query ($a: [Int!]! = [1]) @d { ...F ... on T { a } x | y & z }'],
    ['numbers', '{ a(i: -12, f: 3.25e+10, g: 0.5, h: 1E3) }'],
    ['strings with escapes', '{ a(s: "x \\" y \\\\", t: "", u: "\\u00e9") }'],
    ['a block string with an escaped delimiter', '{ a(s: """ one\n  \\""" two "" three """) }'],
    ['comments, commas, CRLF and a byte-order mark', '\ufeff# c { [ "\r\n{ a,,, b # x\r\n c }\n'],
  ])('given %s, when scanned, then it counts what the graphql-js Lexer counts', (_, body) => {
    expect(scanCount(body)).toBe(lexerCount(body));
  });

  it('given nesting past the limit, when scanned, then it stops at the bracket that passes it', () => {
    const body = '{ a(x: [[1]]) { b } }';
    expect(scanTokens(body, { maxTokens: 100, maxNesting: 2 })).toEqual({ kind: 'nesting', offset: 8 });
    expect(scanTokens(body, { maxTokens: 100, maxNesting: 3 })).toEqual({ kind: 'within' });
  });

  it('given a character with no token, when scanned, then it leaves the syntax error to the lexer', () => {
    expect(scanTokens('{ a ~ b c d }', { maxTokens: 3, maxNesting: 10 })).toEqual({ kind: 'within' });
    expect(scanTokens('{ a(s: "open a b c', { maxTokens: 5, maxNesting: 10 })).toEqual({ kind: 'within' });
  });

  it('given line breaks of each kind, when a location is asked for, then it is the line and column graphql-js reports', () => {
    const body = 'a\nb\r\nc\rd';
    const lexer = new Lexer(new Source(body));
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      expect(locationOf(body, token.start)).toEqual({ line: token.line, column: token.column });
    }
  });
});
