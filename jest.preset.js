// Shared jest settings for every project. Tests run as CommonJS through swc; ESM-only
// packages that tests import directly (jose, cel-js) are transformed too.
const path = require('node:path');

const harness = path.join(__dirname, 'libs/testing/harness');

const base = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|@marcbachmann/cel-js|cookie)/)'],
  moduleNameMapper: {
    '^@authtrail/(authn|projector|graphql-api|siem-exporter)$': path.join(__dirname, 'services/$1/src/index.ts'),
    '^@authtrail/(.*)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['**/*.spec.ts'],
  testTimeout: 60_000,
};

/** Projects whose tests need the real Kafka broker and PostgreSQL started once per run. */
const withInfrastructure = {
  ...base,
  globalSetup: path.join(harness, 'global-setup.mjs'),
  globalTeardown: path.join(harness, 'global-teardown.mjs'),
};

module.exports = { base, withInfrastructure };
