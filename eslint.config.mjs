import nx from '@nx/eslint-plugin';

// Module boundaries in two dimensions. `scope:*` says which part of the product a project
// belongs to (authn never touches Postgres: it may not import read-model), `type:*` says what
// it is (services import libs, never each other; libs/testing only from spec files).
const scopeConstraints = [
  { sourceTag: 'scope:authn', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:siem-exporter', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:projector', onlyDependOnLibsWithTags: ['scope:shared', 'scope:read-model'] },
  { sourceTag: 'scope:graphql-api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:read-model'] },
  { sourceTag: 'scope:read-model', onlyDependOnLibsWithTags: ['scope:shared', 'scope:read-model'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:shared', 'scope:read-model'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['*'] },
];
const typeConstraints = [
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib'] },
  // The CLI (tools/cli) is the one place that runs every service in one process (`npm start`).
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:service'] },
];
// Spec files may also use the test harness.
const allowTesting = (constraints) =>
  constraints.map((c) => ({
    ...c,
    onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, c.sourceTag.startsWith('scope:') ? 'scope:testing' : 'type:testing'],
  }));

const boundaries = (depConstraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/node_modules', '**/dist', '**/.nx', '**/.cache', '**/testdata/generated', 'tmp', 'artifacts'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([...scopeConstraints, ...typeConstraints]),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // testdata/ folders hold fixtures and scripts only tests run.
    files: ['**/*.spec.ts', '**/testdata/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([...allowTesting(scopeConstraints), ...allowTesting(typeConstraints)]),
      // A spec states what it expects; a wrong `!` fails the test, which is the point.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
