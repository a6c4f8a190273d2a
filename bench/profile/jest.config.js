// The pure parts of bench/profile (aggregation, tables, flame graph, source maps, /proc), tested in
// `npm test` with every other project (the root jest.config.js lists bench/*/jest.config.js).
const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'bench-profile', rootDir: __dirname };
