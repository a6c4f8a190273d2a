import type { Resolvers } from '../generated/resolvers.generated';
import type { GraphqlContext } from '../context';
import { dateTimeScalar } from './date-time.scalar';
import { mutationResolvers } from './mutation.resolvers';
import { queryResolvers } from './read.resolvers';
import { subscriptionResolvers } from './subscription.resolvers';
import { typeResolvers } from './type.resolvers';

export const resolvers: Resolvers<GraphqlContext> = {
  DateTime: dateTimeScalar,
  Query: queryResolvers,
  Mutation: mutationResolvers,
  Subscription: subscriptionResolvers,
  ...typeResolvers,
};
