import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENT_LIMITS, type DocumentLimits, checkDocumentLimits } from '../../../local/graphql/document-guard.js';

/** The checks that run over a document's tokens before it is parsed. */

const limits = (overrides: Partial<DocumentLimits>): DocumentLimits => ({ ...DEFAULT_DOCUMENT_LIMITS, ...overrides });

describe('a document within every limit', () => {
  it('given aliases, fragments, directives, arguments with input objects and variables, when checked, then nothing is refused', () => {
    const query = `
      # a comment { { { is not a token
      query Q($id: ID!, $filter: [[String!]] = [["a"]], $input: In = { a: { b: 1 } }) @dir(x: { y: "z" }) {
        first: node(id: $id, where: { name: { eq: "x" }, tags: ["a", "b"] }) @include(if: true) {
          id
          ... on Item { name }
          ...ItemFields
          ... @skip(if: false) { name }
        }
        second: node(id: "2") { id }
      }
      fragment ItemFields on Item { id name }
    `;
    expect(checkDocumentLimits(query)).toBeUndefined();
  });
});

describe('the character limit', () => {
  it('given a document one character over the limit, when checked, then it is refused without a location', () => {
    const query = `{ a }${' '.repeat(95)}`;
    expect(checkDocumentLimits(query, limits({ maxCharacters: 100 }))).toBeUndefined();
    expect(checkDocumentLimits(`${query} `, limits({ maxCharacters: 100 }))).toEqual({
      limit: 'characters',
      message: 'Syntax Error: Document contains more than 100 characters. Parsing aborted.',
      location: undefined,
    });
  });
});

describe('the token limit', () => {
  it('given more tokens than the limit, when checked, then the refusal points at the first token past it', () => {
    // `{` a b c d e f g h i `}`: 11 tokens; the 11th is the closing brace on line 2.
    const query = '{ a b c d e f g h i\n}';
    expect(checkDocumentLimits(query, limits({ maxTokens: 11 }))).toBeUndefined();
    expect(checkDocumentLimits(query, limits({ maxTokens: 10 }))).toEqual({
      limit: 'tokens',
      message: 'Syntax Error: Document contains more than 10 tokens. Parsing aborted.',
      location: { line: 2, column: 1 },
    });
  });

  it('given a long comment, when checked, then its words are not counted as tokens', () => {
    expect(checkDocumentLimits(`# ${'word '.repeat(100)}\n{ a }`, limits({ maxTokens: 3 }))).toBeUndefined();
  });

  it('given a document over both the alias limit and the token limit, when checked, then the token limit is what it is refused for', () => {
    const query = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: f`).join(' ')} }`;
    expect(checkDocumentLimits(query, limits({ maxAliases: 2, maxTokens: 30 }))?.limit).toBe('tokens');
    expect(checkDocumentLimits(query, limits({ maxAliases: 2, maxTokens: 100 }))?.limit).toBe('aliases');
  });
});

describe('the nesting limit', () => {
  it.each([
    ['selection sets', '{ a { b { c { d } } } }'],
    ['inline fragments', '{ ... on Q { ... on Q { ... on Q { a } } } }'],
    ['list types of a variable', 'query ($v: [[[[Int]]]]) { a }'],
    ['a list and an input object in an argument', '{ a(x: [{ y: [1] }]) }'],
  ])('given %s nested four deep, when checked against a limit of three, then it is refused where the fourth opens', (_, query) => {
    const refusal = checkDocumentLimits(query, limits({ maxNesting: 3 }));
    expect(refusal?.limit).toBe('nesting');
    expect(refusal?.message).toBe('Syntax Error: Document nests selection sets, lists or input objects more than 3 levels deep. Parsing aborted.');
    expect(checkDocumentLimits(query, limits({ maxNesting: 4 }))).toBeUndefined();
  });

  it('given 10,000 nested inline fragments, when checked with the default limits, then it is refused by name, not by the call stack', () => {
    const fragment = '... on Query { ';
    const query = `{ ${fragment.repeat(10_000)}__typename${' }'.repeat(10_000)} }`;
    // The outer brace is level 1: the brace of the fragment that opens the level past the limit.
    const column = '{ '.length + fragment.length * (DEFAULT_DOCUMENT_LIMITS.maxNesting - 1) + fragment.indexOf('{') + 1;
    expect(checkDocumentLimits(query)).toMatchObject({ limit: 'nesting', location: { line: 1, column } });
  });
});

describe('the alias limit', () => {
  it('given one alias more than the limit, when checked, then it is refused at that alias', () => {
    expect(checkDocumentLimits('{ a: f b: f }', limits({ maxAliases: 2 }))).toBeUndefined();
    expect(checkDocumentLimits('{ a: f b: f c: f }', limits({ maxAliases: 2 }))).toEqual({
      limit: 'aliases',
      message: 'The document uses more than 2 aliases; it was not executed.',
      location: { line: 1, column: 13 },
    });
  });

  it('given colons in arguments, input objects, variable definitions and directives, when checked, then none counts as an alias', () => {
    const query = 'query ($a: Int = 1, $b: In = { c: 2 }) { f(x: 1, y: { z: 2 }) @d(if: true) { g(w: 3) } }';
    expect(checkDocumentLimits(query, limits({ maxAliases: 0 }))).toBeUndefined();
  });
});

describe('the repeated-field limit', () => {
  const repeats = (query: string) => checkDocumentLimits(query, limits({ maxFieldRepeats: 2 }));

  it('given a field selected once more than the limit in one selection set, when checked, then it is refused as too complex', () => {
    expect(repeats('{ a a }')).toBeUndefined();
    expect(repeats('{ a a a }')).toEqual({
      limit: 'fieldRepeats',
      message: 'The document is too complex to validate: it selects "a" more than 2 times in one selection set; it was not executed.',
      location: { line: 1, column: 7 },
    });
  });

  it('given the repeats spread over inline fragments of one selection set, when checked, then they count together, as they merge', () => {
    expect(repeats('{ a ... on Q { a ... @include(if: true) { a } } }')?.limit).toBe('fieldRepeats');
  });

  it('given an alias, when checked, then the alias is the name that counts, not the field', () => {
    expect(repeats('{ x: a y: a z: a }')).toBeUndefined();
    expect(repeats('{ a: x a: y a: z }')?.limit).toBe('fieldRepeats');
  });

  it('given the same name in different selection sets or in a named fragment, when checked, then each set counts on its own', () => {
    expect(repeats('{ x { a a } y { a a } a a ...F } fragment F on Q { a a }')).toBeUndefined();
  });

  it('given directive names, fragment spreads and type conditions, when checked, then none counts as a selected field', () => {
    expect(repeats('{ a @a @a @a ...a ...a ...a ... on a { b } ... on a { c } ... on a { d } }')).toBeUndefined();
  });
});

describe('what the guard leaves to the parser', () => {
  it('given a syntax error the lexer meets, when checked, then the lexer\'s GraphQLError is thrown, as parse would throw it', () => {
    expect(() => checkDocumentLimits('{ a(x: "unterminated) }')).toThrow(GraphQLError);
    expect(() => checkDocumentLimits('{ a(x: "unterminated) }')).toThrow(/Syntax Error: Unterminated string/);
  });

  it('given unbalanced braces, when checked, then nothing is refused: the parser reports them', () => {
    expect(checkDocumentLimits('} } { a')).toBeUndefined();
  });
});
