// Enforces `@requires(role:)` from the schema. The schema is the contract of who may call what;
// this wraps every root field's resolver (and subscribe) once at build time, so no resolver can
// forget the check. Defaults: Query and Subscription need VIEWER, Mutation needs ADMIN.
import { type GraphQLFieldConfig, type GraphQLSchema, Kind, type ConstDirectiveNode, type GraphQLField, defaultFieldResolver } from 'graphql';
import { forbidden } from '../errors/api-error';
import type { GraphqlContext } from '../context';
import type { Role } from './caller';

const DEFAULT_ROLE: Readonly<Record<string, Role>> = { Query: 'VIEWER', Subscription: 'VIEWER', Mutation: 'ADMIN' };

export function requiredRole(field: Pick<GraphQLField<unknown, unknown>, 'astNode'>, rootType: string): Role {
  const directive: ConstDirectiveNode | undefined = field.astNode?.directives?.find((d) => d.name.value === 'requires');
  const argument = directive?.arguments?.find((a) => a.name.value === 'role');
  if (argument?.value.kind === Kind.ENUM) return argument.value.value as Role;
  return DEFAULT_ROLE[rootType] ?? 'ADMIN';
}

/** Mutates the built schema's root fields in place (they are ours; built once per server). */
export function enforceRequiredRoles(schema: GraphQLSchema): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const role = requiredRole(field, root.name);
      const check = (context: GraphqlContext): void => {
        if (!context.caller.roles.has(role)) throw forbidden(`${root.name}.${field.name}`, role);
      };
      const resolve = field.resolve ?? defaultFieldResolver;
      const wrapped = field as GraphQLFieldConfig<unknown, GraphqlContext> & typeof field;
      wrapped.resolve = (source, args, context: GraphqlContext, info) => {
        check(context);
        return resolve(source, args, context, info);
      };
      if (field.subscribe) {
        const subscribe = field.subscribe;
        wrapped.subscribe = (source, args, context: GraphqlContext, info) => {
          check(context);
          return subscribe(source, args, context, info);
        };
      }
    }
  }
  return schema;
}
