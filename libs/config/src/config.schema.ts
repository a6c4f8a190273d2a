// The JSON Schema of the authtrail config file (DESIGN §8): the ONE place where keys, types,
// defaults and environment overrides are written. The loader fills defaults from here (ajv
// `useDefaults`), the env overrides come from the `x-env` annotations, relative paths are
// resolved for `x-path` keys, and docs/configuration.md is generated from it.
//
// Annotations (ignored by validation):
//   x-env:  environment variable that overrides the key; x-envKind says how it is parsed
//   x-path: a file or folder path, resolved against the config file's folder
//   format: duration → `10s`, `1m`, `5m`, `1h`, `90d` (milliseconds in the typed config)
//   x-minDuration / x-maxDuration: the bounds of a `duration` key (validated by the loader)
import { DURATION_PATTERN } from './duration';

export const STRATEGY_IDS = ['static-token', 'bootstrap-token', 'basic-auth', 'x509', 'service-account', 'oidc', 'anonymous'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type EnvKind = 'string' | 'integer' | 'boolean' | 'list' | 'fingerprint-keys';

const port = (def: number, env: string, description: string) =>
  ({ type: 'integer', minimum: 0, maximum: 65535, default: def, 'x-env': env, 'x-envKind': 'integer', description }) as const;
const duration = (def: string, description: string) => ({ type: 'string', format: 'duration', default: def, description }) as const;
const host = { type: 'string', minLength: 1, default: '0.0.0.0', description: 'Address to listen on.' } as const;
const groupList = (def: readonly string[], description: string) =>
  ({ type: 'array', items: { type: 'string', minLength: 1 }, default: def, description }) as const;

const strategyEntry = {
  type: 'object', required: ['id'],
  properties: { id: { enum: [...STRATEGY_IDS], description: 'Strategy id.' } },
} as const;

export const configSchema = {
  $id: 'https://authtrail.dev/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    dataDir: {
      type: 'string', minLength: 1, default: './.authtrail', 'x-path': true, 'x-env': 'AUTHTRAIL_DATA_DIR', 'x-envKind': 'string',
      description: 'Embedded Postgres data, the event spool, authn sequence ledgers (`authn/<instance>.ledger`) and generated keys.',
    },
    authn: {
      type: 'object', additionalProperties: false, default: {}, description: 'The authentication service.',
      properties: {
        instance: {
          type: 'string', minLength: 1, maxLength: 128, 'x-env': 'AUTHTRAIL_INSTANCE', 'x-envKind': 'string',
          description: 'Instance name in every decision event (default: the host name).',
        },
        http: {
          type: 'object', additionalProperties: false, default: {}, description: 'Plain HTTP listener.',
          properties: { port: port(8080, 'AUTHTRAIL_HTTP_PORT', 'HTTP port (0: any free port).'), host },
        },
        https: {
          type: 'object', additionalProperties: false, required: ['certFile', 'keyFile'],
          description: 'HTTPS listener; client certificates are requested, not required. Absent: no HTTPS listener.',
          properties: {
            port: port(8443, 'AUTHTRAIL_HTTPS_PORT', 'HTTPS port (0: any free port).'),
            host,
            certFile: { type: 'string', minLength: 1, 'x-path': true, description: 'PEM server certificate (chain).' },
            keyFile: { type: 'string', minLength: 1, 'x-path': true, description: 'PEM private key of the server certificate.' },
            clientCAFile: {
              type: 'string', minLength: 1, 'x-path': true,
              description: 'PEM CA bundle advertised to clients in the TLS handshake (verification is the x509 strategy\'s job).',
            },
          },
        },
        trustedProxies: {
          type: 'array', items: { type: 'string', format: 'cidr' }, default: ['127.0.0.1/32', '::1/128'],
          'x-env': 'AUTHTRAIL_TRUSTED_PROXIES', 'x-envKind': 'list',
          description: 'CIDRs whose X-Forwarded-* headers (client address, method, URI, proto) and `/v1/authenticate` `sourceIp`/`tls` are believed. Not client certificates: see clientCertificateProxies.',
        },
        clientCertificateProxies: {
          type: 'array', items: { type: 'string', format: 'cidr' }, default: [],
          'x-env': 'AUTHTRAIL_CLIENT_CERTIFICATE_PROXIES', 'x-envKind': 'list',
          description: 'CIDRs of TLS-terminating proxies whose client-certificate headers (`X-Forwarded-Client-Cert`, `ssl-client-cert`, `X-Forwarded-Tls-Client-Cert`) and `/v1/authenticate` `clientCertificate` are believed. Empty: none, loopback included. Each must overwrite the client\'s own header (docs/authn.md).',
        },
        anonymous: {
          type: 'object', additionalProperties: false, default: {}, description: 'Anonymous access, decided last.',
          properties: {
            enabled: { type: 'boolean', default: false, description: 'Answer requests with no credential as system:anonymous.' },
            paths: {
              type: 'array', items: { type: 'string', minLength: 1 },
              description: 'Only these request paths (prefix match with a trailing `*`) may be anonymous. Absent: all.',
            },
          },
        },
        authenticationConfiguration: {
          type: 'string', minLength: 1, 'x-path': true, 'x-env': 'AUTHTRAIL_AUTHENTICATION_CONFIG', 'x-envKind': 'string',
          description: 'kube-apiserver\'s `--authentication-config` file (`apiserver.config.k8s.io/v1` or `v1beta1` `AuthenticationConfiguration`), accepted as-is: its `jwt[]` authenticators join the chain after `strategies`, its `anonymous` section replaces `authn.anonymous` (set only one). Validated at boot with kube-apiserver\'s messages, reloaded on change (docs/strategies.md).',
        },
        startDegraded: {
          type: 'boolean', default: false, 'x-env': 'AUTHTRAIL_START_DEGRADED', 'x-envKind': 'boolean',
          description: 'false: until the policy and the revocation list are loaded from the control topic, every authentication is refused with 503 (reason `upstream_unavailable`, recorded as such) and /readyz says what is missing. true: authenticate at once, without policy and revocations (a revoked credential is accepted until they are loaded); /readyz still waits for them (docs/operations-failures.md).',
        },
        cache: {
          type: 'object', additionalProperties: false, default: {}, description: 'Decision cache keyed by HMAC of the credential.',
          properties: {
            successTTL: duration('10s', 'How long an authenticated credential is remembered.'),
            failureTTL: duration('0s', 'How long a rejected credential is remembered (0: not cached).'),
            maxEntries: { type: 'integer', minimum: 0, default: 10000, description: 'Entries kept (least recently used go first).' },
          },
        },
        strategies: {
          type: 'array', default: [],
          description: 'Evaluation order; each item has an `id` (DESIGN §3.2) and that strategy\'s own keys, validated by the strategy. Keys ending in `File`, `Files` or `Dir` are paths.',
          items: strategyEntry,
        },
        limits: {
          type: 'object', additionalProperties: false, default: {}, description: 'Protection against oversized or slow requests.',
          properties: {
            bodyLimit: { type: 'integer', minimum: 1024, maximum: 16777216, default: 65536, description: 'Largest request body in bytes (413 above).' },
            maxHeaderSize: { type: 'integer', minimum: 1024, maximum: 262144, default: 16384, description: 'Largest request header block in bytes (431 above).' },
            requestTimeout: duration('10s', 'Time to receive a whole request.'),
            keepAliveTimeout: duration('5s', 'Idle time of a kept-alive connection.'),
            connectionTimeout: duration('30s', 'Idle time of a socket before it is closed.'),
            shutdownGrace: duration('10s', 'How long shutdown waits for in-flight requests and the event flush.'),
          },
        },
      },
    },
    events: {
      type: 'object', additionalProperties: false, default: {}, description: 'Where decision events go.',
      properties: {
        kafka: {
          type: 'object', additionalProperties: false, required: ['brokers'], description: 'Kafka cluster. Absent: embedded in-process bus under dataDir.',
          properties: {
            brokers: {
              type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' },
              'x-env': 'KAFKA_BROKERS', 'x-envKind': 'list', description: 'Bootstrap brokers `host:port`.',
            },
            clientId: { type: 'string', minLength: 1, default: 'authtrail', description: 'Kafka client id.' },
          },
        },
        mode: {
          enum: ['buffered', 'strict'], default: 'buffered', 'x-env': 'AUTHTRAIL_EVENTS_MODE', 'x-envKind': 'string',
          description: 'buffered: never wait on Kafka (memory, then disk spool); strict: answer only after Kafka acknowledged (503 otherwise).',
        },
        bufferSize: { type: 'integer', minimum: 1, default: 10000, description: 'Events held in memory before spooling to disk.' },
        spoolMaxBytes: { type: 'integer', minimum: 0, default: 268435456, description: 'Disk spool size limit; above it events are dropped and counted. 0: no spool (what does not fit `bufferSize` is dropped).' },
        strictTimeout: duration('5s', 'strict mode: how long an event may wait to be handed to Kafka (refused with 503 after that, and never sent); an event already sent waits for Kafka\'s acknowledgement, however long (docs/event-bus.md).'),
        heartbeatInterval: {
          ...duration('30s', 'How often authn publishes its producer status (`running`, last sequence, drops) on the control topic; at least 1s.'),
          'x-minDuration': '1s',
        },
        inProcess: {
          type: 'object', additionalProperties: false, default: {}, description: 'The embedded in-process bus (no `events.kafka`): retention, group commit and batching for consumers (docs/event-bus.md).',
          properties: {
            retainRecords: { type: 'integer', minimum: 0, default: 10000, description: 'Newest events kept per partition beyond what the projector and siem-exporter still need to read, in memory and on disk; older disk segments are deleted.' },
            segmentBytes: { type: 'integer', minimum: 1048576, default: 67108864, description: 'Size at which the on-disk event log starts a new segment file (retention deletes whole segments).' },
            commitInterval: {
              ...duration('5ms', 'Group commit: events collect this long, then are written and fsynced together, off the request. buffered mode loses at most this group in a crash; strict answers after its fsync.'),
              'x-minDuration': '1ms',
              'x-maxDuration': '1s',
            },
            fetchMaxWait: {
              ...duration('50ms', 'Consumers (projector, siem-exporter) get a partition\'s events once 200 are there or the oldest has waited this long, like Kafka\'s fetch.max.wait.ms: one read-model transaction per batch instead of one per request. 0: at once.'),
              'x-maxDuration': '5s',
            },
          },
        },
      },
    },
    database: {
      type: 'object', additionalProperties: false, default: {}, description: 'Read-model database.',
      properties: {
        url: {
          type: 'string', pattern: '^postgres(ql)?://', 'x-env': 'DATABASE_URL', 'x-envKind': 'string',
          description: 'PostgreSQL URL. Absent: embedded Postgres under dataDir.',
        },
      },
    },
    graphql: {
      type: 'object', additionalProperties: false, default: {}, description: 'The GraphQL API.',
      properties: {
        port: port(4000, 'AUTHTRAIL_GRAPHQL_PORT', 'GraphQL HTTP port.'),
        host,
        adminGroups: groupList(['authtrail:admins'], 'Groups allowed to query and mutate.'),
        viewerGroups: groupList(['authtrail:viewers'], 'Groups allowed to query.'),
        auth: {
          type: 'object', additionalProperties: false, default: {}, description: 'How the API authenticates its callers.',
          properties: {
            enabled: { type: 'boolean', default: true, description: 'Authenticate callers with the authn strategies (false: everyone is a viewer; development only).' },
            strategies: {
              type: 'array', items: strategyEntry,
              description: 'Strategies for API callers, as `authn.strategies` (absent: the authn strategies; anonymous never authenticates API callers).',
            },
          },
        },
        limits: {
          type: 'object', additionalProperties: false, default: {}, description: 'Protection against abusive queries.',
          properties: {
            maxPageSize: { type: 'integer', minimum: 1, maximum: 10000, default: 500, description: 'Largest `first:` of a connection (coded error above).' },
            maxDepth: { type: 'integer', minimum: 1, maximum: 64, default: 8, description: 'Deepest selection, fragments included.' },
            maxAliases: { type: 'integer', minimum: 1, maximum: 1000, default: 15, description: 'Aliases per operation.' },
            maxComplexity: { type: 'integer', minimum: 1, default: 20000, description: 'Estimated rows an operation may touch.' },
            queryTimeout: duration('5s', 'Postgres statement_timeout of one query.'),
          },
        },
        introspection: { type: 'boolean', default: false, 'x-env': 'AUTHTRAIL_GRAPHQL_INTROSPECTION', 'x-envKind': 'boolean', description: 'Allow schema introspection.' },
        playground: { type: 'boolean', default: true, 'x-env': 'AUTHTRAIL_GRAPHQL_PLAYGROUND', 'x-envKind': 'boolean', description: 'Serve the self-hosted GraphiQL playground.' },
      },
    },
    policy: {
      type: 'object', additionalProperties: false, default: {}, description: 'Policy document (DESIGN §7).',
      properties: {
        file: { type: 'string', minLength: 1, 'x-path': true, 'x-env': 'AUTHTRAIL_POLICY_FILE', 'x-envKind': 'string', description: 'Initial policy YAML applied at first start.' },
      },
    },
    fingerprint: {
      type: 'object', additionalProperties: false, default: {}, description: 'HMAC keys for credential fingerprints.',
      properties: {
        keys: {
          type: 'array', default: [], 'x-env': 'AUTHTRAIL_FINGERPRINT_KEY', 'x-envKind': 'fingerprint-keys',
          description: 'First key fingerprints new events; the rest are kept for rotation. Env: `id:base64,id2:base64`. Empty: a key is generated under dataDir.',
          items: {
            type: 'object', additionalProperties: false, required: ['id', 'secret'],
            properties: {
              id: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$', description: 'Key id, part of every fingerprint.' },
              secret: { type: 'string', format: 'base64key', description: 'base64 of at least 32 random bytes.' },
            },
          },
        },
        keyFile: {
          type: 'string', minLength: 1, 'x-path': true, 'x-env': 'AUTHTRAIL_FINGERPRINT_KEY_FILE', 'x-envKind': 'string',
          description: 'File holding the keys in the env format (`id:base64`, one per line or comma-separated), read at boot; a mounted Secret. Missing or malformed: the start fails. Not with `keys`.',
        },
      },
    },
    integrity: {
      type: 'object', additionalProperties: false, default: {}, description: 'The hash chain and signed checkpoints of every event a producer publishes (docs/integrity.md).',
      properties: {
        signingKeyFile: {
          type: 'string', minLength: 1, 'x-path': true, 'x-env': 'AUTHTRAIL_INTEGRITY_SIGNING_KEY_FILE', 'x-envKind': 'string',
          description: 'Ed25519 private key (PKCS#8 PEM) the checkpoints are signed with; a mounted Secret. Absent: one is generated under dataDir (`integrity-signing.pem`) and reused.',
        },
        keyId: {
          type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', 'x-env': 'AUTHTRAIL_INTEGRITY_KEY_ID', 'x-envKind': 'string',
          description: 'Id of the signing key, written into each checkpoint. Absent: the first 16 characters of its RFC 7638 JWK thumbprint.',
        },
        verificationKeysFile: {
          type: 'string', minLength: 1, 'x-path': true, 'x-env': 'AUTHTRAIL_INTEGRITY_VERIFICATION_KEYS_FILE', 'x-envKind': 'string',
          description: 'JWK Set of public keys (each with its `kid`). authn and graphql-api serve them beside their signing key, so checkpoints signed before a rotation still verify; the standalone projector verifies every producer\'s checkpoints with them (absent there: it does not verify).',
        },
        gapGrace: {
          ...duration('1m', 'The projector\'s chain verifier names a missing chain position a gap once later positions of the chain have waited on it this long (it may still be on its way in a slower partition).'),
          'x-minDuration': '100ms',
        },
        checkpointEvery: { type: 'integer', minimum: 1, default: 1000, 'x-env': 'AUTHTRAIL_INTEGRITY_CHECKPOINT_EVERY', 'x-envKind': 'integer', description: 'A producer signs a checkpoint after this many events…' },
        checkpointInterval: {
          ...duration('10s', '…or this long after its last one, if it published anything since; and once more when it stops.'),
          'x-minDuration': '100ms',
        },
      },
    },
    projector: {
      type: 'object', additionalProperties: false, default: {}, description: 'The projector (events into the read models).',
      properties: {
        groupId: {
          type: 'string', pattern: '^[A-Za-z0-9._-]{1,200}$', default: 'authtrail-projector', 'x-env': 'PROJECTOR_GROUP_ID', 'x-envKind': 'string',
          description: 'Kafka consumer group; also the key of the checkpoints in Postgres.',
        },
        topics: {
          type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, 'x-env': 'PROJECTOR_TOPICS', 'x-envKind': 'list',
          description: 'Topics to project (absent: the decision and control topics); created when missing.',
        },
        deadLetterTopic: {
          type: 'string', minLength: 1, 'x-env': 'PROJECTOR_DEAD_LETTER_TOPIC', 'x-envKind': 'string',
          description: 'Where poison records go (absent: the shared dead-letter topic).',
        },
        metricsPort: {
          type: 'integer', minimum: 0, maximum: 65535, 'x-env': 'PROJECTOR_METRICS_PORT', 'x-envKind': 'integer',
          description: 'Standalone process: serve `/metrics` and `/healthz` on `projector.metricsHost` at this port (absent: not served).',
        },
        stallAfter: {
          ...duration('15s', 'Standalone process: `/healthz` answers 503 (`stalled`, with the lag per partition) when records are pending in Kafka and no checkpoint moved for this long, or Kafka or PostgreSQL did not answer for this long.'),
          'x-minDuration': '1s',
        },
        metricsHost: {
          type: 'string', minLength: 1, default: '127.0.0.1', 'x-env': 'PROJECTOR_METRICS_HOST', 'x-envKind': 'string',
          description: 'Address the standalone metrics listener binds (containers: `0.0.0.0`, so Prometheus can scrape it).',
        },
      },
    },
    readModels: {
      type: 'object', additionalProperties: false, default: {}, description: 'The PostgreSQL read models: partitions of the `decision` table and retention (docs/read-models.md "Partitions and retention").',
      properties: {
        partitioning: {
          enum: ['daily', 'monthly'], default: 'monthly', 'x-env': 'READ_MODELS_PARTITIONING', 'x-envKind': 'string',
          description: 'Period of one `decision` partition (UTC days or months); existing partitions of the other period stay as they are.',
        },
        partitionsAhead: {
          type: 'integer', minimum: 1, maximum: 366, default: 3, 'x-env': 'READ_MODELS_PARTITIONS_AHEAD', 'x-envKind': 'integer',
          description: 'Periods after the current one the projector keeps created, so events never wait on a CREATE TABLE.',
        },
        maintenanceInterval: {
          ...duration('1h', 'How often the projector creates partitions ahead, gives strays in the DEFAULT partition their own, and retires partitions past retention.'),
          'x-minDuration': '1s',
        },
        retention: {
          type: 'object', additionalProperties: false, default: {}, description: 'How long stored events are kept (absent: forever).',
          properties: {
            decisions: {
              type: 'string', format: 'duration', 'x-minDuration': '1d', 'x-env': 'READ_MODELS_RETENTION_DECISIONS', 'x-envKind': 'string',
              description: 'Keep decision events this long (e.g. `400d`): older partitions are detached, folded into the rolled-up aggregates and dropped whole. Absent: kept forever.',
            },
          },
        },
      },
    },
    // Open: services/siem-exporter validates the section and holds its defaults; only the
    // environment overrides of its listener are declared here (containers set them).
    siem: {
      type: 'object', description: 'SIEM exporter settings (defined by services/siem-exporter).',
      properties: {
        metrics: {
          type: 'object', description: 'The standalone siem-exporter\'s metrics and health listener.',
          properties: {
            host: { type: 'string', 'x-env': 'SIEM_METRICS_HOST', 'x-envKind': 'string', description: 'Address the standalone metrics listener binds (default `127.0.0.1`; containers: `0.0.0.0`).' },
            port: { type: 'integer', 'x-env': 'SIEM_METRICS_PORT', 'x-envKind': 'integer', description: 'Port of the standalone `/metrics`, `/healthz`, `/readyz` (default 9464).' },
          },
        },
      },
    },
    log: {
      type: 'object', additionalProperties: false, default: {}, description: 'Logging.',
      properties: { level: { enum: [...LOG_LEVELS], default: 'info', 'x-env': 'AUTHTRAIL_LOG_LEVEL', 'x-envKind': 'string', description: 'pino log level.' } },
    },
  },
} as const;

export { DURATION_PATTERN };
