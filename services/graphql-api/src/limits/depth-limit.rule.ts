// Refuses operations nested deeper than `maxDepth` (fragments expanded), before execution.
// A deeply nested query over identity → credentials → identity → ... would multiply SQL work.
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import type { ErrorCode } from '../generated/resolvers.generated';

export function selectionDepth(
  selectionSet: SelectionSetNode | undefined,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  visited: ReadonlySet<string> = new Set(),
): number {
  if (!selectionSet) return 0;
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD:
        // Introspection meta fields (__typename) add no depth.
        if (selection.name.value.startsWith('__')) break;
        deepest = Math.max(deepest, 1 + selectionDepth(selection.selectionSet, fragments, visited));
        break;
      case Kind.INLINE_FRAGMENT:
        deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visited));
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        // Fragment cycles are rejected by the standard rules; do not loop on them here.
        if (visited.has(name)) break;
        deepest = Math.max(deepest, selectionDepth(fragments[name]?.selectionSet, fragments, new Set([...visited, name])));
        break;
      }
    }
  }
  return deepest;
}

export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const fragments = Object.fromEntries(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
      const depth = selectionDepth(operation.selectionSet, fragments);
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(`query depth ${depth} exceeds the maximum of ${maxDepth}`, {
            nodes: [operation],
            extensions: { code: 'QUERY_TOO_DEEP' satisfies ErrorCode, depth, maxDepth },
          }),
        );
      }
    },
  });
}
