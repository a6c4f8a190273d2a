const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'policy', rootDir: __dirname };
