const { withInfrastructure } = require('../../jest.preset.js');

module.exports = { ...withInfrastructure, displayName: 'siem-exporter', rootDir: __dirname };
