/**
 * A count of a document's tokens and bracket nesting over its character codes, as graphql-js's
 * lexer would count them, without building a token: the first pass of the document guard. The
 * graphql-js Lexer costs about 0.3 µs a token (a Token object each, line bookkeeping), which put
 * a document at the 15,000-token limit at about 5 ms; this loop is several times cheaper, so a
 * token flood is refused flat and fast, and the token limit keeps its precedence over the local
 * alias and repeat limits at AppSync (graphql-java stops the parse first).
 *
 * It stops at the first character the GraphQL lexical grammar has no token for (or an unfinished
 * string) and says nothing more: the Lexer pass that follows reports the syntax error itself.
 */
import { Source, getLocation } from 'graphql';

export interface ScanLimits {
  readonly maxTokens: number;
  readonly maxNesting: number;
}

export type ScanResult =
  | { readonly kind: 'within' }
  | { readonly kind: 'tokens' | 'nesting'; readonly offset: number };

const enum Char {
  Tab = 9,
  LineFeed = 10,
  CarriageReturn = 13,
  Space = 32,
  Bang = 33,
  Quote = 34,
  Hash = 35,
  Dollar = 36,
  Amp = 38,
  ParenL = 40,
  ParenR = 41,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Digit0 = 48,
  Digit9 = 57,
  Colon = 58,
  Equals = 61,
  At = 64,
  UpperA = 65,
  UpperE = 69,
  UpperZ = 90,
  BracketL = 91,
  Backslash = 92,
  BracketR = 93,
  Underscore = 95,
  LowerA = 97,
  LowerE = 101,
  LowerZ = 122,
  BraceL = 123,
  Pipe = 124,
  BraceR = 125,
  Bom = 0xfeff,
}

const isNameStart = (c: number) => (c >= Char.LowerA && c <= Char.LowerZ) || (c >= Char.UpperA && c <= Char.UpperZ) || c === Char.Underscore;
const isDigit = (c: number) => c >= Char.Digit0 && c <= Char.Digit9;
const isNameContinue = (c: number) => isNameStart(c) || isDigit(c);

function digitsFrom(body: string, offset: number): number {
  let end = offset;
  while (end < body.length && isDigit(body.charCodeAt(end))) end += 1;
  return end;
}

/** Where the token at `offset` ends, or -1 when the grammar has no token there. */
function tokenEnd(body: string, offset: number, code: number): number {
  const length = body.length;
  if (isNameStart(code)) {
    let end = offset + 1;
    while (end < length && isNameContinue(body.charCodeAt(end))) end += 1;
    return end;
  }
  if (isDigit(code) || code === Char.Minus) {
    let end = digitsFrom(body, offset + 1);
    if (body.charCodeAt(end) === Char.Dot) end = digitsFrom(body, end + 1);
    const e = body.charCodeAt(end);
    if (e === Char.LowerE || e === Char.UpperE) {
      end += 1;
      const sign = body.charCodeAt(end);
      if (sign === Char.Plus || sign === Char.Minus) end += 1;
      end = digitsFrom(body, end);
    }
    return end;
  }
  if (code === Char.Quote) {
    if (body.charCodeAt(offset + 1) === Char.Quote && body.charCodeAt(offset + 2) === Char.Quote) {
      // A block string: up to the next unescaped `"""`.
      let end = offset + 3;
      for (;;) {
        const close = body.indexOf('"""', end);
        if (close < 0) return -1;
        if (body.charCodeAt(close - 1) !== Char.Backslash) return close + 3;
        end = close + 3;
      }
    }
    for (let end = offset + 1; end < length; end += 1) {
      const c = body.charCodeAt(end);
      if (c === Char.Quote) return end + 1;
      if (c === Char.Backslash) end += 1;
      else if (c === Char.LineFeed || c === Char.CarriageReturn) return -1;
    }
    return -1;
  }
  if (code === Char.Dot) {
    return body.charCodeAt(offset + 1) === Char.Dot && body.charCodeAt(offset + 2) === Char.Dot ? offset + 3 : -1;
  }
  switch (code) {
    case Char.Bang:
    case Char.Dollar:
    case Char.Amp:
    case Char.ParenL:
    case Char.ParenR:
    case Char.Colon:
    case Char.Equals:
    case Char.At:
    case Char.BracketL:
    case Char.BracketR:
    case Char.BraceL:
    case Char.Pipe:
    case Char.BraceR:
      return offset + 1;
    default:
      return -1;
  }
}

/** The first token past `maxTokens`, or the first bracket past `maxNesting`, by offset. */
export function scanTokens(body: string, limits: ScanLimits): ScanResult {
  const length = body.length;
  let tokens = 0;
  let nesting = 0;
  let offset = 0;
  while (offset < length) {
    const code = body.charCodeAt(offset);
    if (code === Char.Space || code === Char.Comma || code === Char.LineFeed || code === Char.CarriageReturn || code === Char.Tab || code === Char.Bom) {
      offset += 1;
      continue;
    }
    if (code === Char.Hash) {
      while (offset < length) {
        const c = body.charCodeAt(offset);
        if (c === Char.LineFeed || c === Char.CarriageReturn) break;
        offset += 1;
      }
      continue;
    }
    const end = tokenEnd(body, offset, code);
    if (end < 0) return { kind: 'within' };
    tokens += 1;
    if (tokens > limits.maxTokens) return { kind: 'tokens', offset };
    if (code === Char.BraceL || code === Char.BracketL) {
      nesting += 1;
      if (nesting > limits.maxNesting) return { kind: 'nesting', offset };
    } else if ((code === Char.BraceR || code === Char.BracketR) && nesting > 0) {
      nesting -= 1;
    }
    offset = end;
  }
  return { kind: 'within' };
}

/**
 * The 1-based line and column of `offset`, as graphql-js reports them (`\r\n` is one break).
 * Only the text up to it is searched (a slice is not a copy in V8): the rest of a refused
 * document can be a megabyte on one line.
 */
export function locationOf(body: string, offset: number): { line: number; column: number } {
  return getLocation(new Source(body.slice(0, offset + 1)), offset);
}
