import {
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  execute,
  visit,
} from 'graphql';
import type { SubscriptionPayload } from '../contracts.js';
import { toAppSyncError } from './errors.js';
import { type SubscriptionFilter, matchesFilter } from './filters.js';
import type { Fragments } from './selection.js';

/**
 * Who listens to which mutation, and what each listener receives (appsync-behaviour.md §4):
 * - a subscriber receives its own selection of the mutation's result: it is executed against
 *   that result with no resolvers, so a field the mutation did not select is null, and null in
 *   a non-null field is an error that bubbles as GraphQL says;
 * - filters (argument or enhanced) are evaluated on the result keyed by field names;
 * - an invalidation closes the subscriptions of a field whose invalidation filter matches.
 * The hub outlives an engine: a schema reload keeps the subscriptions that are live.
 */

/** How one kind of subscriber renders a payload; shared by subscribers with the same selection. */
export class PayloadShape {
  readonly #cache = new WeakMap<object, SubscriptionPayload>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly document: DocumentNode,
    private readonly fieldName: string,
    private readonly variables: Readonly<Record<string, unknown>> | undefined,
  ) {}

  /** The payload for a canonical result; computed once per published result. */
  render(canonical: object): SubscriptionPayload {
    let payload = this.#cache.get(canonical);
    if (!payload) {
      const result = execute({
        schema: this.schema,
        document: this.document,
        rootValue: { [this.fieldName]: canonical },
        variableValues: this.variables,
      }) as ExecutionResult;
      payload =
        result.errors && result.errors.length > 0
          ? { data: (result.data ?? null) as SubscriptionPayload['data'], errors: result.errors.map((e) => toAppSyncError(e)) }
          : { data: (result.data ?? null) as SubscriptionPayload['data'] };
      this.#cache.set(canonical, payload);
    }
    return payload;
  }
}

/** Whether a field's selection reads variables (then the variables are part of its shape). */
export function selectionUsesVariables(field: FieldNode, fragments: Fragments): boolean {
  let uses = false;
  const seen = new Set<string>();
  const scan = (node: FieldNode['selectionSet']) => {
    if (!node || uses) return;
    visit(node, {
      Variable() {
        uses = true;
      },
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (seen.has(name)) return;
        seen.add(name);
        scan(fragments[name]?.selectionSet);
      },
    });
  };
  scan(field.selectionSet);
  return uses;
}

export interface Subscriber {
  readonly subscriptionField: string;
  readonly mutations: readonly string[];
  readonly filter: SubscriptionFilter | undefined;
  readonly invalidationFilter: SubscriptionFilter | undefined;
  readonly shape: PayloadShape;
  readonly deliver: (payload: SubscriptionPayload) => void;
  /** Called when an invalidation closes the subscription. */
  readonly invalidated: (() => void) | undefined;
}

export class SubscriptionHub {
  readonly #byMutation = new Map<string, Set<Subscriber>>();
  readonly #byField = new Map<string, Set<Subscriber>>();

  add(subscriber: Subscriber): () => void {
    for (const mutation of subscriber.mutations) addTo(this.#byMutation, mutation, subscriber);
    addTo(this.#byField, subscriber.subscriptionField, subscriber);
    return () => this.#remove(subscriber);
  }

  hasSubscribers(mutation: string): boolean {
    return (this.#byMutation.get(mutation)?.size ?? 0) > 0;
  }

  /** Delivers one mutation field's canonical result to the matching subscribers. */
  publish(mutation: string, canonical: object): void {
    const subscribers = this.#byMutation.get(mutation);
    if (!subscribers) return;
    for (const subscriber of subscribers) {
      if (subscriber.filter && !matchesFilter(subscriber.filter, canonical)) continue;
      subscriber.deliver(subscriber.shape.render(canonical));
    }
  }

  /** `extensions.invalidateSubscriptions`: closes the field's subscriptions whose invalidation filter matches. */
  invalidate(subscriptionField: string, payload: Readonly<Record<string, unknown>>): void {
    const subscribers = this.#byField.get(subscriptionField);
    if (!subscribers) return;
    for (const subscriber of [...subscribers]) {
      if (!subscriber.invalidationFilter || !matchesFilter(subscriber.invalidationFilter, payload)) continue;
      this.#remove(subscriber);
      subscriber.invalidated?.();
    }
  }

  get size(): number {
    let count = 0;
    for (const set of this.#byField.values()) count += set.size;
    return count;
  }

  #remove(subscriber: Subscriber): void {
    for (const mutation of subscriber.mutations) this.#byMutation.get(mutation)?.delete(subscriber);
    this.#byField.get(subscriber.subscriptionField)?.delete(subscriber);
  }
}

function addTo(map: Map<string, Set<Subscriber>>, key: string, subscriber: Subscriber): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(subscriber);
}

/** The operation a request names, or its only operation. */
export function findOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}
