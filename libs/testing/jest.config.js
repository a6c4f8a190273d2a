const { withInfrastructure } = require('../../jest.preset.js');

module.exports = { ...withInfrastructure, displayName: 'testing', rootDir: __dirname };
