const { withInfrastructure } = require('../../jest.preset.js');

module.exports = { ...withInfrastructure, displayName: 'projector', rootDir: __dirname };
