// The playground's starting tabs: one per question issue #7 asks the API to answer.

export interface ExampleQuery {
  readonly title: string;
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>>;
}

const hourAgo = '"2026-01-01T00:00:00Z"';

export const EXAMPLE_QUERIES: readonly ExampleQuery[] = [
  {
    title: 'Who authenticated, with what, from where',
    query: `# Identities, most recently seen first, with the credentials they used.
query WhoAuthenticated {
  identities(first: 20) {
    totalCount
    edges {
      node {
        username kind groups strategies lastSeen lastSourceIp successCount failureCount
        credentials { type fingerprint lastUsed useCount distinctSourceIps }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
  },
  {
    title: 'Refused requests (401) from a network',
    query: `# authFailures = decisions with decision DENY. sourceIp takes an address or a CIDR.
query Refused($since: DateTime) {
  authFailures(first: 50, filter: { sourceIp: "0.0.0.0/0", time: { from: $since } }) {
    totalCount
    edges { node { time reason strategy username sourceIp userAgent endpoint credentialType attempts { strategy outcome reason } } }
    pageInfo { hasNextPage endCursor }
  }
}`,
    variables: { since: null },
  },
  {
    title: 'Failures grouped by source IP, hourly',
    query: `# Set since to 24 hours ago. groupBy: SOURCE_IP REASON STRATEGY USERNAME CREDENTIAL
query FailuresByIp {
  failureStats(since: ${hourAgo}, groupBy: SOURCE_IP, limit: 10, bucket: HOUR) {
    key count firstSeen lastSeen
    series { start count }
  }
}`,
  },
  {
    title: 'Token usage: stale, expiring, shared',
    query: `query TokenUsage {
  stale: credentials(first: 20, filter: { notUsedSince: ${hourAgo} }) {
    totalCount edges { node { fingerprint type username publicId lastUsed useCount } }
  }
  expiringThisWeek: credentials(first: 20, filter: { expiringWithinSeconds: 604800 }) {
    totalCount edges { node { fingerprint type username expiresAt } }
  }
  usedFromManyIps: credentials(first: 20, filter: { minDistinctSourceIpsExclusive: 3 }) {
    totalCount edges { node { fingerprint type username distinctSourceIps revoked } }
  }
}`,
  },
  {
    title: 'Usage of a token I hold (admins)',
    query: `# The secret is hashed with the server's key and dropped; it is never stored or logged.
query MyTokenUsage($secret: String!) {
  credentialFingerprint(secret: $secret)
}`,
    variables: { secret: 'paste-the-token-here' },
  },
  {
    title: 'Password guesses against a name (admins)',
    query: `# The name is hashed with the server's keys (names typed for no account are stored only as
# a hash) and dropped; it is never stored or logged.
query GuessesAgainst($name: String!) {
  authFailures(first: 50, filter: { claimedUsername: $name }) {
    totalCount edges { node { time reason sourceIp userAgent username claimedUsernameHash } }
  }
  failureStats(since: ${hourAgo}, groupBy: USERNAME, usernames: [$name]) { key usernameHash count }
}`,
    variables: { name: 'alice' },
  },
  {
    title: 'Is the audit trail complete?',
    query: `query Health {
  auditHealth {
    projectorLag lastEventTime sequenceGaps deadLettered droppedEvents
    partitions { topic partition lag lastEventTime lastError }
    producers { instance boot state lastSequence received missing dropped lastSeen }
  }
  policy { version appliedAt appliedBy }
}`,
  },
];
