// The pure parts of bench/ab, tested in `npm test` with every other project.
const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'bench-ab', rootDir: __dirname };
