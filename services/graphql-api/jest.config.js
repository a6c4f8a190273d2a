const { withInfrastructure } = require('../../jest.preset.js');

module.exports = { ...withInfrastructure, displayName: 'graphql-api', rootDir: __dirname };
