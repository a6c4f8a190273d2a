const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'config', rootDir: __dirname };
