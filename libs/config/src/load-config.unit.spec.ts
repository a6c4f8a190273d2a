import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, readConfig, ConfigError, type StrategyConfigValidator } from './load-config';

const KEY = Buffer.alloc(32, 7).toString('base64');

/** Loads YAML text as the file /etc/authtrail.yaml (no disk involved). */
function load(yaml: string, env: Record<string, string> = {}, validateStrategy?: StrategyConfigValidator) {
  return readConfig({ argv: ['--config', '/etc/authtrail.yaml'], env, readFile: () => yaml, ...(validateStrategy ? { validateStrategy } : {}) });
}

describe('loadConfig: bad configs are refused with the key path and the file', () => {
  const cases: ReadonlyArray<{ name: string; yaml: string; env?: Record<string, string>; error: string }> = [
    { name: 'a malformed duration names the key', yaml: 'authn:\n  cache:\n    successTTL: 10 seconds\n', error: '/etc/authtrail.yaml: authn.cache.successTTL: must match duration like 10s' },
    { name: 'a negative duration is not a duration', yaml: 'authn:\n  limits:\n    requestTimeout: -5s\n', error: '/etc/authtrail.yaml: authn.limits.requestTimeout: must match duration like 10s' },
    { name: 'an unknown top-level key fails', yaml: 'dataDirr: /x\n', error: '/etc/authtrail.yaml: dataDirr: unknown key' },
    { name: 'an unknown nested key fails', yaml: 'authn:\n  http:\n    prot: 80\n', error: '/etc/authtrail.yaml: authn.http.prot: unknown key' },
    { name: 'a port out of range fails', yaml: 'authn:\n  http:\n    port: 70000\n', error: '/etc/authtrail.yaml: authn.http.port: must be <= 65535' },
    { name: 'a port of the wrong type fails', yaml: 'graphql:\n  port: "abc"\n', error: '/etc/authtrail.yaml: graphql.port: must be integer' },
    { name: 'https without a key file fails', yaml: 'authn:\n  https:\n    certFile: a.crt\n', error: '/etc/authtrail.yaml: authn.https.keyFile: is required' },
    { name: 'a bad trusted proxy CIDR fails', yaml: 'authn:\n  trustedProxies: [10.0.0.0/33]\n', error: '/etc/authtrail.yaml: authn.trustedProxies[0]: must be a CIDR like 10.0.0.0/8' },
    { name: 'a bad client-certificate proxy CIDR fails', yaml: 'authn:\n  clientCertificateProxies: [nginx]\n', error: '/etc/authtrail.yaml: authn.clientCertificateProxies[0]: must be a CIDR like 10.0.0.0/8' },
    { name: 'an unknown events mode fails', yaml: 'events:\n  mode: sometimes\n', error: '/etc/authtrail.yaml: events.mode: must be one of: buffered, strict' },
    { name: 'a heartbeat interval of 0 fails (it would spin)', yaml: 'events:\n  heartbeatInterval: 0s\n', error: '/etc/authtrail.yaml: events.heartbeatInterval: must be at least 1s' },
    { name: 'a heartbeat interval below a second fails', yaml: 'events:\n  heartbeatInterval: 500ms\n', error: '/etc/authtrail.yaml: events.heartbeatInterval: must be at least 1s' },
    { name: 'an in-process commit interval above a second fails (a whole group would wait that long)', yaml: 'events:\n  inProcess:\n    commitInterval: 2s\n', error: '/etc/authtrail.yaml: events.inProcess.commitInterval: must be at most 1s' },
    { name: 'an in-process commit interval of 0 fails (it would spin)', yaml: 'events:\n  inProcess:\n    commitInterval: "0"\n', error: '/etc/authtrail.yaml: events.inProcess.commitInterval: must be at least 1ms' },
    { name: 'an in-process segment below 1 MiB fails', yaml: 'events:\n  inProcess:\n    segmentBytes: 4096\n', error: '/etc/authtrail.yaml: events.inProcess.segmentBytes: must be >= 1048576' },
    { name: 'a heartbeat interval that is not a duration gets the duration message only', yaml: 'events:\n  heartbeatInterval: often\n', error: '/etc/authtrail.yaml: events.heartbeatInterval: must match duration like 10s' },
    { name: 'a broker without a port fails', yaml: 'events:\n  kafka:\n    brokers: [localhost]\n', error: '/etc/authtrail.yaml: events.kafka.brokers[0]: must be host:port' },
    { name: 'an unknown strategy id fails', yaml: 'authn:\n  strategies:\n    - id: ldap\n', error: '/etc/authtrail.yaml: authn.strategies[0].id: must be one of: static-token, bootstrap-token, basic-auth, x509, service-account, oidc, anonymous' },
    { name: 'a strategy without id fails', yaml: 'authn:\n  strategies:\n    - tokenFile: x.csv\n', error: '/etc/authtrail.yaml: authn.strategies[0].id: is required' },
    { name: 'a short fingerprint key fails', yaml: 'fingerprint:\n  keys: [{ id: k1, secret: c2hvcnQ= }]\n', error: '/etc/authtrail.yaml: fingerprint.keys[0].secret: must be base64 of at least 32 bytes' },
    { name: 'a non-postgres database URL fails', yaml: 'database:\n  url: mysql://x\n', error: '/etc/authtrail.yaml: database.url: must be a postgres:// URL' },
    { name: 'an unknown log level fails', yaml: 'log:\n  level: loud\n', error: '/etc/authtrail.yaml: log.level: must be one of: fatal, error, warn, info, debug, trace, silent' },
    { name: 'a top-level list is refused', yaml: '- a\n- b\n', error: '/etc/authtrail.yaml: the top level must be a mapping of keys' },
    { name: 'a duplicate key is invalid YAML with its position', yaml: 'dataDir: a\ndataDir: b\n', error: '/etc/authtrail.yaml:2:1: invalid YAML: Map keys must be unique' },
    { name: 'an unresolved YAML alias is invalid YAML, not a crash', yaml: 'dataDir: *nowhere\n', error: '/etc/authtrail.yaml: invalid YAML: Unresolved alias (the anchor must be set before the alias): nowhere' },
    { name: 'a bad env port names the variable', yaml: '', env: { AUTHTRAIL_HTTP_PORT: 'eighty' }, error: 'env AUTHTRAIL_HTTP_PORT: authn.http.port: must be integer' },
    { name: 'a bad env events mode names the variable', yaml: '', env: { AUTHTRAIL_EVENTS_MODE: 'fast' }, error: 'env AUTHTRAIL_EVENTS_MODE: events.mode: must be one of: buffered, strict' },
    { name: 'a bad env broker names the variable', yaml: '', env: { KAFKA_BROKERS: 'kafka' }, error: 'env KAFKA_BROKERS: events.kafka.brokers[0]: must be host:port' },
    { name: 'a duplicate fingerprint key id in env fails', yaml: '', env: { AUTHTRAIL_FINGERPRINT_KEY: `a:${KEY},a:${KEY}` }, error: 'env AUTHTRAIL_FINGERPRINT_KEY: fingerprint.keys: key id "a" appears twice' },
    { name: 'a short fingerprint key in env fails without echoing it', yaml: '', env: { AUTHTRAIL_FINGERPRINT_KEY: 'k:c2VjcmV0' }, error: 'env AUTHTRAIL_FINGERPRINT_KEY: fingerprint.keys[0].secret: must be base64 of at least 32 bytes' },
  ];
  it.each(cases)('$name', ({ yaml, env, error }) => {
    const result = load(yaml, env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContain(error);
  });

  it('a missing file is named with the error code', () => {
    const result = readConfig({ argv: ['--config=/nonexistent/authtrail.yaml'], env: {} });
    expect(result).toEqual({ ok: false, errors: ['/nonexistent/authtrail.yaml: cannot read the config file (ENOENT)'] });
  });

  it('all problems are reported at once, and loadConfig throws them as a ConfigError', () => {
    const result = load('authn:\n  cache:\n    successTTL: x\n  http:\n    port: -1\n');
    expect(!result.ok && result.errors.length).toBe(2);
    expect(() => loadConfig({ argv: ['-c', '/etc/authtrail.yaml'], env: {}, readFile: () => 'nope: 1\n' })).toThrow(ConfigError);
  });

  it('no error message repeats a fingerprint secret', () => {
    const secret = 'c2VjcmV0LXNob3J0';
    const result = load(`fingerprint:\n  keys: [{ id: k1, secret: ${secret} }]\n`);
    expect(JSON.stringify(result)).not.toContain(secret);
  });
});

describe('loadConfig: strategy sections are validated by the strategies registry', () => {
  it('the validator sees each section with its path, and its issues name the file', () => {
    const seen: string[] = [];
    const validator: StrategyConfigValidator = (id, raw, path) => {
      seen.push(`${id}@${path}`);
      return id === 'static-token' && !(raw as Record<string, unknown>)['tokenFile'] ? [{ path: `${path}.tokenFile`, message: 'is required' }] : [];
    };
    const result = load('authn:\n  strategies:\n    - { id: oidc, issuer: { url: "https://x" } }\n    - { id: static-token }\n', {}, validator);
    expect(seen).toEqual(['oidc@authn.strategies[0]', 'static-token@authn.strategies[1]']);
    expect(result).toEqual({ ok: false, errors: ['/etc/authtrail.yaml: authn.strategies[1].tokenFile: is required'] });
  });

  it('the API’s own strategies are validated too, and their paths resolved against the file', () => {
    const seen: string[] = [];
    const validator: StrategyConfigValidator = (id, _raw, path) => (seen.push(`${id}@${path}`), []);
    const result = load('graphql:\n  auth:\n    strategies: [{ id: static-token, tokenFile: api-tokens.csv }]\n', {}, validator);
    expect(seen).toEqual(['static-token@graphql.auth.strategies[0]']);
    expect(result.ok && result.config.graphql.auth.strategies).toEqual([{ id: 'static-token', tokenFile: '/etc/api-tokens.csv' }]);
  });

  it('graphql limits default to the documented values and take durations', () => {
    const result = load('graphql: { limits: { maxDepth: 5, queryTimeout: 2s } }\n');
    expect(result.ok && result.config.graphql.limits).toEqual({ maxPageSize: 500, maxDepth: 5, maxAliases: 15, maxComplexity: 20_000, queryTimeout: 2_000 });
  });
});

describe('loadConfig: defaults, environment and paths', () => {
  it('an empty file gives the documented defaults', () => {
    const result = load('');
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const { config } = result;
    expect(config.dataDir).toBe('/etc/.authtrail');
    expect(config.authn.http).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(config.authn.https).toBeUndefined();
    expect(config.authn.cache).toEqual({ successTTL: 10_000, failureTTL: 0, maxEntries: 10_000 });
    expect(config.authn.limits.bodyLimit).toBe(65_536);
    expect(config.authn.anonymous.enabled).toBe(false);
    expect(config.events.mode).toBe('buffered');
    expect(config.events.heartbeatInterval).toBe(30_000);
    expect(config.events.inProcess).toEqual({ retainRecords: 10_000, segmentBytes: 64 * 1024 * 1024, commitInterval: 5, fetchMaxWait: 50 });
    expect(config.events.kafka).toBeUndefined();
    expect(config.graphql).toMatchObject({ port: 4000, adminGroups: ['authtrail:admins'], viewerGroups: ['authtrail:viewers'], introspection: false, playground: true });
    expect(config.fingerprint.keys).toEqual([]);
    expect(config.log.level).toBe('info');
  });

  it('no config file at all runs on defaults with paths relative to the working folder', () => {
    const result = readConfig({ argv: [], env: {}, cwd: '/srv/app' });
    expect(result.ok && result.config.dataDir).toBe('/srv/app/.authtrail');
    expect(result.ok && result.config.configFile).toBeUndefined();
  });

  it('AUTHTRAIL_CONFIG names the file when --config is absent', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'a.yaml'), 'log: { level: debug }\n');
    const config = loadConfig({ argv: [], env: { AUTHTRAIL_CONFIG: join(dir, 'a.yaml') } });
    expect(config.log.level).toBe('debug');
    expect(config.configFile).toBe(join(dir, 'a.yaml'));
  });

  it('durations become milliseconds', () => {
    const result = load('authn:\n  cache: { successTTL: 5m, failureTTL: 1h }\n  limits: { requestTimeout: 90d, keepAliveTimeout: 250ms }\n');
    expect(result.ok && result.config.authn.cache).toMatchObject({ successTTL: 300_000, failureTTL: 3_600_000 });
    expect(result.ok && result.config.authn.limits).toMatchObject({ requestTimeout: 90 * 86_400_000, keepAliveTimeout: 250 });
  });

  it('relative paths resolve against the config file folder, absolute ones stay', () => {
    const result = load(
      'dataDir: data\npolicy: { file: ./policy.yaml }\nauthn:\n  https: { certFile: tls/s.crt, keyFile: /abs/s.key }\n  strategies:\n    - { id: static-token, tokenFile: ./tokens.csv }\n    - { id: service-account, keyFiles: [sa.pub, /k/b.pub], issuers: [https://kubernetes.default.svc] }\n',
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const { config } = result;
    expect(config.dataDir).toBe('/etc/data');
    expect(config.policy.file).toBe('/etc/policy.yaml');
    expect(config.authn.https).toMatchObject({ certFile: '/etc/tls/s.crt', keyFile: '/abs/s.key', port: 8443 });
    expect(config.authn.strategies[0]).toEqual({ id: 'static-token', tokenFile: '/etc/tokens.csv' });
    expect(config.authn.strategies[1]).toEqual({ id: 'service-account', keyFiles: ['/etc/sa.pub', '/k/b.pub'], issuers: ['https://kubernetes.default.svc'] });
  });

  it('authn.authenticationConfiguration (kube-apiserver --authentication-config) is a path, absent by default, overridable by AUTHTRAIL_AUTHENTICATION_CONFIG', () => {
    const fromFile = load('authn:\n  authenticationConfiguration: kube/authentication-config.yaml\n');
    expect(fromFile.ok && fromFile.config.authn.authenticationConfiguration).toBe('/etc/kube/authentication-config.yaml');
    const fromEnv = load('authn: {}\n', { AUTHTRAIL_AUTHENTICATION_CONFIG: '/srv/authn-config.yaml' });
    expect(fromEnv.ok && fromEnv.config.authn.authenticationConfiguration).toBe('/srv/authn-config.yaml');
    const absent = load('');
    expect(absent.ok && absent.config.authn.authenticationConfiguration).toBeUndefined();
    expect(load('authn:\n  authenticationConfiguration: ""\n')).toMatchObject({ ok: false, errors: ['/etc/authtrail.yaml: authn.authenticationConfiguration: must NOT have fewer than 1 characters'] });
  });

  it('environment variables override the file', () => {
    const result = load('events:\n  kafka: { brokers: [a:9092] }\nauthn:\n  http: { port: 1 }\n', {
      KAFKA_BROKERS: 'k1:9092, k2:9093',
      DATABASE_URL: 'postgres://u@db/authtrail',
      AUTHTRAIL_FINGERPRINT_KEY: `new:${KEY},old:${KEY}`,
      AUTHTRAIL_DATA_DIR: '/var/lib/authtrail',
      AUTHTRAIL_HTTP_PORT: '9080',
      AUTHTRAIL_EVENTS_MODE: 'strict',
      AUTHTRAIL_LOG_LEVEL: 'warn',
      AUTHTRAIL_TRUSTED_PROXIES: '10.0.0.0/8,192.168.0.0/16',
      AUTHTRAIL_CLIENT_CERTIFICATE_PROXIES: '10.9.0.0/16',
      AUTHTRAIL_GRAPHQL_INTROSPECTION: 'true',
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const { config } = result;
    expect(config.events.kafka).toEqual({ brokers: ['k1:9092', 'k2:9093'], clientId: 'authtrail' });
    expect(config.database.url).toBe('postgres://u@db/authtrail');
    expect(config.fingerprint.keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.dataDir).toBe('/var/lib/authtrail');
    expect(config.authn.http.port).toBe(9080);
    expect(config.events.mode).toBe('strict');
    expect(config.log.level).toBe('warn');
    expect(config.authn.trustedProxies).toEqual(['10.0.0.0/8', '192.168.0.0/16']);
    expect(config.authn.clientCertificateProxies).toEqual(['10.9.0.0/16']);
    expect(config.graphql.introspection).toBe(true);
  });

  it('client certificates from proxies are believed from nobody by default, loopback included', () => {
    const result = load('');
    expect(result.ok && result.config.authn.clientCertificateProxies).toEqual([]);
    expect(result.ok && result.config.authn.trustedProxies).toEqual(['127.0.0.1/32', '::1/128']);
  });

  it('empty environment variables are ignored', () => {
    const result = load('', { KAFKA_BROKERS: '', DATABASE_URL: ' ' });
    expect(result.ok && result.config.events.kafka).toBeUndefined();
    expect(result.ok && result.config.database.url).toBeUndefined();
  });

  it('siem is passed through as an open object', () => {
    const result = load('siem:\n  syslog: { host: x, port: 514 }\n');
    expect(result.ok && result.config.siem).toEqual({ syslog: { host: 'x', port: 514 } });
  });
});

describe('loadConfig: any input gives a result, never a throw (property)', () => {
  it('arbitrary YAML text and environment values are accepted or refused with messages', () => {
    const yamlish = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.dictionary(fc.constantFrom('dataDir', 'authn', 'events', 'log', 'graphql', 'x'), fc.jsonValue({ maxDepth: 3 })).map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(yamlish, fc.dictionary(fc.constantFrom('KAFKA_BROKERS', 'AUTHTRAIL_HTTP_PORT', 'AUTHTRAIL_FINGERPRINT_KEY', 'AUTHTRAIL_EVENTS_MODE', 'AUTHTRAIL_TRUSTED_PROXIES'), fc.string({ maxLength: 40 })), (text, env) => {
        const result = load(text, env);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const e of result.errors) expect(e).toMatch(/^(\/etc\/authtrail\.yaml|env [A-Z_]+)/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('fingerprint.keyFile: the keys from a file, read at boot', () => {
  /** The config as /etc/authtrail.yaml and the given other files; anything else is ENOENT. */
  const withFiles = (yaml: string, files: Record<string, string>, env: Record<string, string> = {}) =>
    readConfig({
      argv: ['--config', '/etc/authtrail.yaml'],
      env,
      readFile: (p) => {
        if (p === '/etc/authtrail.yaml') return yaml;
        if (p in files) return files[p] as string;
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      },
    });
  const OTHER = Buffer.alloc(32, 9).toString('base64');

  it('keys from the file, in order, one per line (relative to the config file)', () => {
    const result = withFiles('fingerprint:\n  keyFile: keys/fingerprint.key\n', { '/etc/keys/fingerprint.key': `new:${KEY}\nold:${OTHER}\n` });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.fingerprint.keys).toEqual([{ id: 'new', secret: KEY }, { id: 'old', secret: OTHER }]);
  });

  it('AUTHTRAIL_FINGERPRINT_KEY_FILE names the file; a missing file is an error naming the key and the variable', () => {
    expect(withFiles('', {}, { AUTHTRAIL_FINGERPRINT_KEY_FILE: '/demo/fingerprint.key' })).toEqual({
      ok: false,
      errors: ['env AUTHTRAIL_FINGERPRINT_KEY_FILE: fingerprint.keyFile: cannot read /demo/fingerprint.key (ENOENT)'],
    });
  });

  it('a short key in the file is refused without echoing it', () => {
    const result = withFiles('fingerprint:\n  keyFile: /k\n', { '/k': 'k:c2VjcmV0\n' });
    expect(result).toEqual({ ok: false, errors: ['/etc/authtrail.yaml: fingerprint.keyFile: /k: key #1 must be base64 of at least 32 bytes'] });
    expect(JSON.stringify(result)).not.toContain('c2VjcmV0');
  });

  it('an empty file is refused', () => {
    expect(withFiles('fingerprint:\n  keyFile: /k\n', { '/k': '\n' })).toEqual({ ok: false, errors: ['/etc/authtrail.yaml: fingerprint.keyFile: /k: must list at least one key as id:base64secret'] });
  });

  it('keys and keyFile together are refused', () => {
    const result = withFiles('fingerprint:\n  keyFile: /k\n', { '/k': `a:${KEY}` }, { AUTHTRAIL_FINGERPRINT_KEY: `b:${OTHER}` });
    expect(result).toEqual({ ok: false, errors: ['/etc/authtrail.yaml: fingerprint.keyFile: set fingerprint.keys or fingerprint.keyFile, not both'] });
  });
});
