// Complexity needs the request's variables (`first: $n`), which static validation rules do not
// see, so it runs once the operation is resolved and before anything executes.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import type { ErrorCode } from '../generated/resolvers.generated';
import { type ComplexityOptions, selectionCost } from './complexity';

export function complexityPlugin<T extends object>(options: ComplexityOptions): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          const fragments = Object.fromEntries(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          if (!operation) return;
          const cost = selectionCost(operation.selectionSet, fragments, options, request.variables ?? {});
          if (cost > options.maxComplexity) {
            throw new GraphQLError(`query complexity ${cost} exceeds the maximum of ${options.maxComplexity}`, {
              extensions: { code: 'QUERY_TOO_COMPLEX' satisfies ErrorCode, complexity: cost, maxComplexity: options.maxComplexity, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
