import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { enforceRequiredRoles } from '../auth/requires.directive';
import { resolvers } from '../resolvers';
import { loadTypeDefs } from './type-defs';

/** The schema with resolvers attached and `@requires` enforced on every root field. */
export function buildExecutableSchema(): GraphQLSchema {
  const schema = makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never });
  return enforceRequiredRoles(schema);
}
