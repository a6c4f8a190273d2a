// What each server of bench/peers is started with: pure functions from ports and file paths to
// command lines and config documents, so the comparison's settings are read in one place.

export interface TlsFiles {
  /** CA that signed the client certificate (verified by Guard, advertised by authtrail). */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * `guard run` serving TokenReviews over mTLS with only the token-auth provider (chosen by the client
 * certificate's O=token-auth) reading a kube token file. The NTP clock check is off: it would
 * reach out to pool.ntp.org, and it is not on the request path.
 */
export function guardArgs(options: { readonly port: number; readonly tls: TlsFiles; readonly tokenFile: string }): string[] {
  return [
    'run',
    `--secure-addr=127.0.0.1:${options.port}`,
    `--tls-ca-file=${options.tls.caFile}`,
    `--tls-cert-file=${options.tls.certFile}`,
    `--tls-private-key-file=${options.tls.keyFile}`,
    '--auth-providers=token-auth',
    `--token-auth-file=${options.tokenFile}`,
    '--clock-check-interval=0',
  ];
}

export interface JwtExpectations {
  readonly issuer: string;
  readonly audience: string;
}

export interface OathkeeperPorts {
  readonly api: number;
  readonly proxy: number;
  readonly prometheus: number;
}

/**
 * Oathkeeper's config (JSON, which its YAML loader reads): the jwt authenticator with a file JWKS,
 * RS256 only, issuer and audience checked; `allow` as authorizer (there is no noop authorizer) and
 * the `header` mutator, so a granted decision answers 200 with the subject in a header, as
 * authtrail's forward-auth does. Every listener on loopback; logging as shipped (info: one line
 * per decision, its own record of the decision).
 */
export function oathkeeperConfig(options: { readonly ports: OathkeeperPorts; readonly rulesFile: string; readonly jwksFile: string; readonly jwt: JwtExpectations }): object {
  return {
    serve: {
      api: { host: '127.0.0.1', port: options.ports.api },
      proxy: { host: '127.0.0.1', port: options.ports.proxy },
      prometheus: { host: '127.0.0.1', port: options.ports.prometheus },
    },
    access_rules: { repositories: [fileUrl(options.rulesFile)] },
    authenticators: {
      jwt: {
        enabled: true,
        config: { jwks_urls: [fileUrl(options.jwksFile)], trusted_issuers: [options.jwt.issuer], target_audience: [options.jwt.audience], allowed_algorithms: ['RS256'] },
      },
    },
    authorizers: { allow: { enabled: true } },
    mutators: { header: { enabled: true, config: { headers: { 'X-Remote-User': '{{ print .Subject }}' } } } },
  };
}

/** The one access rule: GET `path` on any host, through jwt → allow → header. */
export function oathkeeperRules(path: string): object[] {
  return [
    {
      id: 'bench-jwt',
      match: { url: `<https?>://<[^/]+>${path}`, methods: ['GET'] },
      authenticators: [{ handler: 'jwt' }],
      authorizer: { handler: 'allow' },
      mutators: [{ handler: 'header' }],
    },
  ];
}

/** `oathkeeper serve` with telemetry off (it would report to sqa.ory.sh). */
export function oathkeeperArgs(configFile: string): string[] {
  return ['serve', '--config', configFile, '--sqa-opt-out'];
}

/**
 * authtrail's config for the standalone authn service: static tokens and RS256 service-account
 * tokens, decisions to Kafka in buffered mode (the default), an HTTPS listener that requests
 * client certificates when `tls` is given. `successTTL` 0s turns the decision cache off.
 */
export function authtrailConfig(options: { readonly instance: string; readonly httpPort: number; readonly https?: { readonly port: number; readonly tls: TlsFiles }; readonly successTTL: string; readonly tokenFile: string; readonly saPublicKeyFile: string; readonly jwt: JwtExpectations }): string {
  return [
    'dataDir: ./data',
    'authn:',
    `  instance: ${options.instance}`,
    `  http: { port: ${options.httpPort}, host: 127.0.0.1 }`,
    ...(options.https ? [`  https: { port: ${options.https.port}, host: 127.0.0.1, certFile: ${options.https.tls.certFile}, keyFile: ${options.https.tls.keyFile}, clientCAFile: ${options.https.tls.caFile} }`] : []),
    `  cache: { successTTL: ${options.successTTL}, failureTTL: 0s }`,
    '  strategies:',
    `    - { id: static-token, tokenFile: ${options.tokenFile} }`,
    `    - { id: service-account, issuers: ["${options.jwt.issuer}"], keyFiles: [${options.saPublicKeyFile}], audiences: ["${options.jwt.audience}"] }`,
    'events: { mode: buffered }',
    // log.level left at its default (info), as users run it: no line is written per request.
    '',
  ].join('\n');
}

/** A kube token-auth file line (`token,user,uid,"g1,g2"`): both authtrail and Guard read it. */
export function tokenFileLine(token: string, user: { readonly name: string; readonly uid: string; readonly groups: readonly string[] }): string {
  return `${token},${user.name},${user.uid},"${user.groups.join(',')}"\n`;
}

function fileUrl(path: string): string {
  return new URL(`file://${path}`).href;
}
