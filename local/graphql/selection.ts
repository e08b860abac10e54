import {
  type ASTVisitor,
  type FieldNode,
  type FragmentSpreadNode,
  type FragmentDefinitionNode,
  type InlineFragmentNode,
  Kind,
  type SelectionSetNode,
  print,
  visit,
} from 'graphql';

/**
 * Selection-set helpers: what a direct Lambda resolver sees of its selection
 * (`info.selectionSetList`, `info.selectionSetGraphQL`), and the canonical form subscription filters read.
 */

export type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

/** The fields of a selection set with named and inline fragments flattened, in order. */
export function flattenFields(selectionSet: SelectionSetNode | undefined, fragments: Fragments): FieldNode[] {
  const fields: FieldNode[] = [];
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    for (const selection of set?.selections ?? []) {
      switch (selection.kind) {
        case Kind.FIELD:
          fields.push(selection);
          break;
        case Kind.INLINE_FRAGMENT:
          visit(selection.selectionSet, seen);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (seen.has(name)) break;
          visit(fragments[name]?.selectionSet, new Set([...seen, name]));
        }
      }
    }
  };
  visit(selectionSet, new Set());
  return fields;
}

const responseKey = (field: FieldNode) => field.alias?.value ?? field.name.value;

/** AppSync's `selectionSetList`: slash paths by response key, fragments flattened. */
export function selectionSetList(field: FieldNode, fragments: Fragments): string[] {
  const list: string[] = [];
  const walk = (set: SelectionSetNode | undefined, prefix: string) => {
    const seen = new Set<string>();
    for (const child of flattenFields(set, fragments)) {
      if (child.name.value === '__typename') continue;
      const path = prefix + responseKey(child);
      if (seen.has(path)) continue;
      seen.add(path);
      list.push(path);
      walk(child.selectionSet, `${path}/`);
    }
  };
  walk(field.selectionSet, '');
  return list;
}

/**
 * AppSync's `selectionSetGraphQL`: the field's selection set as GraphQL text. Inline fragments
 * are kept as written; a named fragment's spread becomes an inline fragment on its type, so the
 * text stands alone (AppSync does not send the fragment definitions).
 */
export function selectionSetGraphQL(field: FieldNode, fragments: Fragments): string {
  if (!field.selectionSet) return '';
  const inline: ASTVisitor = {
    FragmentSpread(spread: FragmentSpreadNode): InlineFragmentNode | null {
      const fragment = fragments[spread.name.value];
      if (!fragment) return null;
      return {
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: fragment.typeCondition,
        directives: spread.directives ?? [],
        selectionSet: visit(fragment.selectionSet, inline),
      };
    },
  };
  return print(visit(field.selectionSet, inline));
}

/** Maps a result keyed by response keys to one keyed by field names (for filters). */
export type Canonicalizer = (value: unknown) => unknown;

const mapValue = (value: unknown, each: (item: Record<string, unknown>) => unknown): unknown => {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => mapValue(item, each));
  if (typeof value === 'object') return each(value as Record<string, unknown>);
  return value;
};

export function compileCanonicalizer(set: SelectionSetNode | undefined, fragments: Fragments): Canonicalizer {
  if (!set) return (value) => value;
  const fields = flattenFields(set, fragments).map((field) => ({
    key: responseKey(field),
    name: field.name.value,
    inner: compileCanonicalizer(field.selectionSet, fragments),
  }));
  return (value) =>
    mapValue(value, (object) => {
      const out: Record<string, unknown> = {};
      for (const field of fields) {
        if (field.key in object) out[field.name] = field.inner(object[field.key]);
      }
      return out;
    });
}
