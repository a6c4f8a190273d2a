const { base } = require('../../jest.preset.js');

module.exports = { ...base, displayName: 'events', rootDir: __dirname };
