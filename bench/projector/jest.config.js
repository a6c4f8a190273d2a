// The pure parts of bench/projector, tested in `npm test` with every other project.
const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'bench-projector', rootDir: __dirname };
