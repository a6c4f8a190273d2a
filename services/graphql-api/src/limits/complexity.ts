// Estimated cost of an operation before it runs: each field costs 1, and everything under a
// paginated field (one with a `first` or `limit` argument) is multiplied by its page size. So
// `identities(first: 500) { edges { node { credentials { ... } } } }` costs what it would fetch.
import { Kind, type GraphQLSchema, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

export interface ComplexityOptions {
  readonly maxComplexity: number;
  /** Multiplier when a paginated field gives no page size (the schema default). */
  readonly defaultPageSize: number;
  /** Larger pages are refused by the page cap (PAGE_SIZE_TOO_LARGE), so they count as this. */
  readonly maxPageSize: number;
  /** Fields that page (they take `first` or `limit`); without the argument they count the default. */
  readonly paginatedFields: ReadonlySet<string>;
}

const PAGE_ARGUMENTS = ['first', 'limit'];

function pageSize(field: FieldNode, variables: Readonly<Record<string, unknown>>, fallback: number, paginated: ReadonlySet<string>): number | undefined {
  const argument = field.arguments?.find((a) => PAGE_ARGUMENTS.includes(a.name.value));
  if (!argument) return paginated.has(field.name.value) ? fallback : undefined;
  const value = literal(argument.value, variables);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function literal(node: ValueNode, variables: Readonly<Record<string, unknown>>): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  return undefined;
}

export function selectionCost(
  selectionSet: SelectionSetNode | undefined,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  options: ComplexityOptions,
  variables: Readonly<Record<string, unknown>> = {},
  visited: ReadonlySet<string> = new Set(),
): number {
  if (!selectionSet) return 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const inner = selectionCost(selection.selectionSet, fragments, options, variables, visited);
      const size = pageSize(selection, variables, options.defaultPageSize, options.paginatedFields);
      cost += 1 + (size === undefined ? inner : Math.max(1, Math.min(size, options.maxPageSize)) * inner);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      cost += selectionCost(selection.selectionSet, fragments, options, variables, visited);
    } else {
      const name = selection.name.value;
      if (visited.has(name)) continue;
      cost += selectionCost(fragments[name]?.selectionSet, fragments, options, variables, new Set([...visited, name]));
    }
  }
  return cost;
}

/** Root fields with a `first` or `limit` argument, from the schema. */
export function paginatedRootFields(schema: GraphQLSchema): ReadonlySet<string> {
  const names = new Set<string>();
  for (const type of [schema.getQueryType(), schema.getSubscriptionType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (field.args.some((a) => PAGE_ARGUMENTS.includes(a.name))) names.add(field.name);
    }
  }
  return names;
}
