// The policy of the benches' policy rows: ten rules, all evaluated on the bench user's requests
// (a static token from 127.0.0.1), none of which refuses them.
export const TEN_RULE_POLICY = `strategies:
  static-token: { denyGroups: [system:masters], denyUsernames: [root, admin], maxTokenLifetime: 24h, allowedSourceCidrs: [127.0.0.0/8, "::1/128"] }
  service-account: { allowedSourceCidrs: [10.0.0.0/8], maxTokenLifetime: 1h }
  x509: { denyGroups: [system:masters], maxValidity: 90d }
throttle:
  perSourceIp: { failures: 1000000, window: 1m, block: 1s }
  perCredential: { failures: 1000000, window: 1m, block: 1s }
userValidationRules:
  - { expression: "!user.username.startsWith('system:') || user.groups.exists(g, g == 'system:serviceaccounts')", message: reserved prefix }
  - { expression: "user.groups.all(g, g != 'system:masters')", message: no masters }
`;
