const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'strategies', rootDir: __dirname };
