import { parse, specifiedRules, validate } from 'graphql';
import { buildExecutableSchema } from '../schema/executable-schema';
import { aliasLimitRule } from './alias-limit.rule';
import { paginatedRootFields, selectionCost } from './complexity';
import { depthLimitRule, selectionDepth } from './depth-limit.rule';
import type { FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';

const schema = buildExecutableSchema();

function codes(query: string, rules = [depthLimitRule(4), aliasLimitRule(3)]): (string | undefined)[] {
  return validate(schema, parse(query), [...specifiedRules, ...rules]).map((e) => e.extensions['code'] as string | undefined);
}

function parts(query: string) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const fragments = Object.fromEntries(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition').map((d) => [d.name.value, d]));
  return { operation, fragments };
}

describe('depth limit', () => {
  it.each([
    ['a flat query has depth 1', '{ policy { version } }', 2],
    ['__typename adds no depth', '{ policy { __typename version } }', 2],
    ['fragments count where they are spread', 'fragment F on Identity { credentials { fingerprint } } { identity(username: "a") { ...F } }', 3],
    ['inline fragments add no level of their own', '{ identity(username: "a") { ... on Identity { username } } }', 2],
  ])('%s', (_name, query, depth) => {
    const { operation, fragments } = parts(query);
    expect(selectionDepth(operation.selectionSet, fragments)).toBe(depth);
  });

  it('refuses deeper than the maximum with QUERY_TOO_DEEP', () => {
    expect(codes('{ identities { edges { node { credentials { fingerprint } } } } }')).toEqual(['QUERY_TOO_DEEP']);
    expect(codes('{ identities { edges { node { username } } } }')).toEqual([]);
  });
});

describe('alias limit', () => {
  it('allows up to the maximum and refuses one more with TOO_MANY_ALIASES (reported once)', () => {
    expect(codes('{ a: policy { version } b: policy { version } c: policy { version } }')).toEqual([]);
    expect(codes('{ a: policy { version } b: policy { version } c: policy { version } d: policy { version } e: policy { version } }')).toEqual(['TOO_MANY_ALIASES']);
  });
});

describe('complexity estimate', () => {
  const options = { maxComplexity: 1000, defaultPageSize: 50, maxPageSize: 500, paginatedFields: paginatedRootFields(schema) };
  it.each([
    ['one scalar field costs 1 per field', '{ policy { version } }', {}, 2],
    ['a page multiplies what is under it', '{ decisions(first: 10) { edges { node { id } } } }', {}, 1 + 10 * 3],
    ['the default page size applies when first is absent', '{ decisions { totalCount } }', {}, 1 + 50],
    ['a variable page size counts with its value', 'query($n: Int) { decisions(first: $n) { totalCount } }', { n: 7 }, 1 + 7],
    ['pages above the cap count as the cap (the cap refuses them anyway)', '{ decisions(first: 100000) { totalCount } }', {}, 1 + 500],
  ])('%s', (_name, query, variables, cost) => {
    const { operation, fragments } = parts(query);
    expect(selectionCost(operation.selectionSet, fragments, options, variables)).toBe(cost);
  });
});
