// One jest run over every project: the Kafka broker and PostgreSQL start once (the
// projects share one globalSetup path, which jest runs a single time).
module.exports = {
  projects: ['<rootDir>/services/*/jest.config.js', '<rootDir>/libs/*/jest.config.js', '<rootDir>/tools/*/jest.config.js', '<rootDir>/bench/*/jest.config.js'],
  maxWorkers: 2,
  // testTimeout is a global option: the projects' own value only counts when run alone.
  testTimeout: 60_000,
};
