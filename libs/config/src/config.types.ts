// The typed result of loading and validating the config file. Durations are milliseconds,
// paths are absolute. Defaults come from config.schema.ts, never from here.
import type { FingerprintKeyConfig } from './fingerprint-keys';
import type { LOG_LEVELS, STRATEGY_IDS } from './config.schema';

export type StrategyId = (typeof STRATEGY_IDS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One item of `authn.strategies`: its id plus that strategy's own (registry-validated) keys. */
export type StrategyConfigEntry = Readonly<{ id: StrategyId } & Record<string, unknown>>;

export interface ListenerConfig {
  readonly port: number;
  readonly host: string;
}

export interface HttpsListenerConfig extends ListenerConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCAFile?: string;
}

export interface AuthnConfig {
  readonly instance?: string;
  readonly http: ListenerConfig;
  readonly https?: HttpsListenerConfig;
  readonly trustedProxies: readonly string[];
  /**
   * Peers whose forwarded client certificates are believed. The loader always fills it (default
   * `[]`); optional only so configs built by hand in tests need not name it (absent: none).
   */
  readonly clientCertificateProxies?: readonly string[];
  readonly anonymous: { readonly enabled: boolean; readonly paths?: readonly string[] };
  /** kube-apiserver's AuthenticationConfiguration file (absolute path): JWT authenticators and anonymous, reloaded on change. */
  readonly authenticationConfiguration?: string;
  /** Authenticate before policy and revocations are loaded (default false: 503 until then). Optional only for configs built by hand in tests (absent: false). */
  readonly startDegraded?: boolean;
  readonly cache: { readonly successTTL: number; readonly failureTTL: number; readonly maxEntries: number };
  readonly strategies: readonly StrategyConfigEntry[];
  readonly limits: {
    readonly bodyLimit: number;
    readonly maxHeaderSize: number;
    readonly requestTimeout: number;
    readonly keepAliveTimeout: number;
    readonly connectionTimeout: number;
    readonly shutdownGrace: number;
  };
}

export interface EventsConfig {
  readonly kafka?: { readonly brokers: readonly string[]; readonly clientId: string };
  readonly mode: 'buffered' | 'strict';
  readonly bufferSize: number;
  readonly spoolMaxBytes: number;
  readonly strictTimeout: number;
  /** Milliseconds between producer status heartbeats (`running`) of authn. */
  readonly heartbeatInterval: number;
  /** The embedded bus; `commitInterval` and `fetchMaxWait` in milliseconds. */
  readonly inProcess: { readonly retainRecords: number; readonly segmentBytes: number; readonly commitInterval: number; readonly fetchMaxWait: number };
}

export interface GraphqlConfig extends ListenerConfig {
  readonly adminGroups: readonly string[];
  readonly viewerGroups: readonly string[];
  readonly auth: { readonly enabled: boolean; readonly strategies?: readonly StrategyConfigEntry[] };
  readonly limits: {
    readonly maxPageSize: number;
    readonly maxDepth: number;
    readonly maxAliases: number;
    readonly maxComplexity: number;
    readonly queryTimeout: number;
  };
  readonly introspection: boolean;
  readonly playground: boolean;
}

export interface ProjectorSettings {
  readonly groupId: string;
  /** Absent: the projector's own defaults (decision and control topics). */
  readonly topics?: readonly string[];
  readonly deadLetterTopic?: string;
  readonly metricsPort?: number;
  readonly metricsHost: string;
  /** Milliseconds of no progress with records pending before /healthz reports a stall. */
  readonly stallAfter: number;
}

export interface ReadModelsConfig {
  readonly partitioning: 'daily' | 'monthly';
  readonly partitionsAhead: number;
  /** Milliseconds between maintenance rounds of the projector. */
  readonly maintenanceInterval: number;
  /** `decisions`: milliseconds a decision event is kept; absent: forever. */
  readonly retention: { readonly decisions?: number };
}

export interface IntegrityConfig {
  readonly signingKeyFile?: string;
  readonly keyId?: string;
  readonly verificationKeysFile?: string;
  readonly checkpointEvery: number;
  /** Milliseconds. */
  readonly checkpointInterval: number;
  /** Milliseconds the projector's verifier waits on a missing chain position before naming the gap. */
  readonly gapGrace: number;
}

export interface AuthtrailConfig {
  /** Absolute path of the file it was loaded from; absent when running on defaults only. */
  readonly configFile?: string;
  /** Folder relative paths were resolved against. */
  readonly baseDir: string;
  readonly dataDir: string;
  readonly authn: AuthnConfig;
  readonly events: EventsConfig;
  readonly database: { readonly url?: string };
  readonly graphql: GraphqlConfig;
  readonly policy: { readonly file?: string };
  /** `keys` holds the keys of `keyFile` too, read by the loader. */
  readonly fingerprint: { readonly keys: readonly FingerprintKeyConfig[]; readonly keyFile?: string };
  readonly integrity: IntegrityConfig;
  readonly projector: ProjectorSettings;
  readonly readModels: ReadModelsConfig;
  /** Owned by services/siem-exporter; passed through as written. */
  readonly siem?: Readonly<Record<string, unknown>>;
  readonly log: { readonly level: LogLevel };
}
