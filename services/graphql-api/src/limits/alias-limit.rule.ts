// Refuses operations with more than `maxAliases` aliased fields: an alias bomb asks for the same
// expensive field hundreds of times in one request, which depth and page limits do not catch.
import { GraphQLError, type ASTVisitor, type ValidationContext, type ValidationRule } from 'graphql';
import type { ErrorCode } from '../generated/resolvers.generated';

export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias) return;
        aliases += 1;
        if (aliases > maxAliases && !reported) {
          reported = true;
          context.reportError(
            new GraphQLError(`more than ${maxAliases} aliases in one document`, {
              nodes: [node],
              extensions: { code: 'TOO_MANY_ALIASES' satisfies ErrorCode, maxAliases },
            }),
          );
        }
      },
    };
  };
}
