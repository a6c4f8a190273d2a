const { withInfrastructure } = require('../../jest.preset.js');

module.exports = { ...withInfrastructure, displayName: 'read-model', rootDir: __dirname };
