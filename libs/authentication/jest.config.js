const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'authentication', rootDir: __dirname };
