// bench/ is not among the projects of the root jest.config.js (benchmarks are run, not tested); this
// config runs the pure parts of bench/profile (aggregation, tables, flame graph, source maps, /proc):
//   npx jest --config bench/profile/jest.config.js
const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'bench-profile', rootDir: __dirname };
