const { withInfrastructure } = require('../../jest.preset.js');

// The spec builds the Go program first (cached under node_modules/.cache/authtrail-kube-client);
// a cold build runs in the spec's own beforeAll with a longer timeout.
module.exports = { ...withInfrastructure, displayName: 'kube-client', rootDir: __dirname };
