/** A document as the engine keeps it between requests: parsed and validated once, or refused. */
import { type DocumentNode, type FieldNode, type GraphQLError, GraphQLError as GraphQLErrorClass, Kind } from 'graphql';
import type { AppSyncError } from '../contracts.js';
import type { Canonicalizer, Fragments } from './selection.js';
import type { PayloadShape } from './subscriptions.js';

export const EMPTY_DOCUMENT: DocumentNode = { kind: Kind.DOCUMENT, definitions: [] };

export interface Prepared {
  readonly document: DocumentNode;
  readonly errors: readonly AppSyncError[] | undefined;
  readonly fragments: Fragments;
  /** Per mutation root field node: how to read its result by field name. */
  readonly canonicalizers: WeakMap<FieldNode, Canonicalizer>;
  /** Per subscription operation (and variables, when its selection reads them): the payload shape. */
  readonly shapes: Map<string, PayloadShape>;
}

export function preparedDocument(document: DocumentNode): Prepared {
  const fragments: Record<string, never> & Fragments = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      (fragments as Record<string, unknown>)[definition.name.value] = definition;
    }
  }
  return { document, errors: undefined, fragments, canonicalizers: new WeakMap(), shapes: new Map() };
}

export function refused(errors: readonly AppSyncError[]): Prepared {
  return { document: EMPTY_DOCUMENT, errors, fragments: {}, canonicalizers: new WeakMap(), shapes: new Map() };
}

/** graphql-js says "Validation aborted." when a document exceeds its validation budget. */
export function clarify(error: GraphQLError): GraphQLError {
  if (error.message === 'Validation aborted.') {
    return new GraphQLErrorClass('The document is too complex to validate (too many overlapping fields); it was not executed.');
  }
  return error;
}

