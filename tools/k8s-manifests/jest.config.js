const { base } = require('../../jest.preset.js');

// The spec builds the Go program first (cached under node_modules/.cache/authtrail-k8s-manifests);
// a cold build runs in the spec's own beforeAll with a longer timeout. No Kafka or Postgres.
module.exports = { ...base, displayName: 'k8s-manifests', rootDir: __dirname };
