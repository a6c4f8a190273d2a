// The pure parts of bench/shared, tested in `npm test` with every other project (the root
// jest.config.js lists bench/*/jest.config.js).
const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'bench-shared', rootDir: __dirname };
