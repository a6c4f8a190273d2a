const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'integrity', rootDir: __dirname };
