// kube-apiserver's `--authentication-config` file, live: its `jwt[]` authenticators as one
// strategy (id `oidc`: the union of them, routed by the token's `iss`, at most one per issuer),
// its `anonymous` section as the chain's anonymous strategy, and the reload controller of
// kube-apiserver (pkg/kubeapiserver/options/authentication.go):
//
// - at start, a file that does not decode or validate is fatal, with kube's messages;
// - the file is watched (fs.watch on its folder, and a stat every minute as kube polls); a
//   change whose content decodes and validates replaces every JWT authenticator at once
//   (`success`); a change that does not keeps the running ones (`failure`), and is not retried
//   until the content changes again; unchanged content is no reload at all;
// - `anonymous` cannot change on reload ("anonymous: Forbidden: changed from initial
//   configuration file"), and cannot be set both here and in authn.anonymous (kube:
//   --anonymous-auth);
// - counts and timestamps per status and the hash of the applied file feed the metrics named like
//   kube's (authentication-configuration.metrics.ts).
//
// Difference: an unreadable file (missing for a moment during a non-atomic replace) is logged
// and retried but not counted as a failed reload.
import { createHash } from 'node:crypto';
import type { AuthOutcome, Strategy } from '../strategy';
import { silentLogger, systemClock } from '../shared/strategy-deps';
import { FileLoadError, loadAndWatch, type ParseResult, type ReloadingFile } from '../shared/file-reloader';
import { bearerJwt } from '../jwt/bearer-jwt';
import { stringClaim } from '../jwt/jwt-claims';
import type { OidcDeps } from '../oidc/id-token-verifier';
import { aggregate, forbidden, formatFieldError } from './field-errors';
import { decodeAuthenticationConfiguration } from './authentication-configuration.decoder';
import { anonymousChanged, validateAuthenticationConfiguration, type CompiledAuthenticationConfiguration } from './authentication-configuration.validation';
import { createJwtAuthenticator, type JwtAuthenticator } from './jwt-authenticator';
import { createConditionalAnonymous } from './anonymous-conditions';

/** kube-apiserver polls the file every minute; fs.watch usually sees a change at once. */
export const AUTHENTICATION_CONFIGURATION_POLL_MS = 60_000;

export interface AuthenticationConfigurationOptions extends OidcDeps {
  /** Absolute path of the AuthenticationConfiguration file (`authn.authenticationConfiguration`). */
  readonly file: string;
  /** Issuers no JWT authenticator may claim: the service-account strategies' issuers. */
  readonly disallowedIssuers?: readonly string[];
  /** `authn.anonymous` is set: then the file may not have an `anonymous` section. */
  readonly anonymousConfiguredElsewhere?: boolean;
  readonly reloadIntervalMs?: number;
  /** false: stat polling only (tests, filesystems without watch events). */
  readonly watch?: boolean;
}

export type ReloadStatusLabel = 'success' | 'failure';

export interface ReloadStatus {
  /** Automatic reloads by outcome (the start is not a reload). */
  readonly reloads: Readonly<Record<ReloadStatusLabel, number>>;
  /** Unix seconds of the last reload of each outcome. */
  readonly lastReloadSeconds: Readonly<Partial<Record<ReloadStatusLabel, number>>>;
  /** `sha256:<hex>` of the file content in force. */
  readonly configHash: string;
  readonly jwtAuthenticators: number;
}

export interface AuthenticationConfigurationController {
  readonly file: string;
  /** Every `jwt[]` authenticator of the file in force, as one strategy (`oidc`). */
  readonly jwt: Strategy;
  /** The file's anonymous authenticator when it enables one (fixed at start, as in Kubernetes). */
  readonly anonymous?: Strategy;
  /** The file has an `anonymous` section (enabled or not). */
  readonly configuresAnonymous: boolean;
  status(): ReloadStatus;
  close(): Promise<void>;
}

/** The file cannot be used at start. `errors` are kube's messages, one per problem. */
export class AuthenticationConfigurationError extends Error {
  constructor(
    readonly file: string,
    readonly errors: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationConfigurationError';
  }
}

interface Applied {
  readonly compiled: CompiledAuthenticationConfiguration;
  readonly byIssuer: ReadonlyMap<string, JwtAuthenticator>;
  readonly hash: string;
}

type Checked = { readonly ok: true; readonly compiled: CompiledAuthenticationConfiguration } | { readonly ok: false; readonly stage: 'load' | 'validate'; readonly errors: readonly string[] };

/**
 * kube's decode + validation of one version of the file. `initial` is the anonymous section in
 * force (undefined at start): a reload may not change it.
 */
export function checkAuthenticationConfiguration(text: string, options: Pick<AuthenticationConfigurationOptions, 'disallowedIssuers' | 'anonymousConfiguredElsewhere'>, initial?: { readonly anonymous: CompiledAuthenticationConfiguration['anonymous'] }): Checked {
  const decoded = decodeAuthenticationConfiguration(text);
  if (!decoded.ok) return { ok: false, stage: 'load', errors: [decoded.error] };
  if (options.anonymousConfiguredElsewhere && decoded.config.anonymous) {
    return { ok: false, stage: 'load', errors: [formatFieldError(forbidden('anonymous', 'authn.anonymous cannot be set when anonymous field is configured in authentication configuration file'))] };
  }
  const validated = validateAuthenticationConfiguration(decoded.config, options.disallowedIssuers ? { disallowedIssuers: options.disallowedIssuers } : {});
  const errors = validated.ok ? [] : validated.errors.map(formatFieldError);
  if (initial) {
    const changed = anonymousChanged(initial.anonymous, decoded.config.anonymous);
    if (changed) errors.push(formatFieldError(changed));
  }
  if (!validated.ok || errors.length > 0) return { ok: false, stage: 'validate', errors };
  return { ok: true, compiled: validated.compiled };
}

export async function startAuthenticationConfiguration(options: AuthenticationConfigurationOptions): Promise<AuthenticationConfigurationController> {
  const { file } = options;
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? systemClock;
  const reloads: Record<ReloadStatusLabel, number> = { success: 0, failure: 0 };
  const lastReloadSeconds: Partial<Record<ReloadStatusLabel, number>> = {};
  let initial: { readonly anonymous: CompiledAuthenticationConfiguration['anonymous'] } | undefined;
  let bootFailure: Checked | undefined;

  const record = (status: ReloadStatusLabel) => {
    reloads[status]++;
    lastReloadSeconds[status] = now().getTime() / 1000;
  };
  const apply = (text: string, compiled: CompiledAuthenticationConfiguration): Applied => ({
    compiled,
    byIssuer: new Map(compiled.jwt.map((authenticator) => [authenticator.issuer.url, createJwtAuthenticator(authenticator, options)])),
    hash: `sha256:${createHash('sha256').update(text).digest('hex')}`,
  });
  const parse = (text: string): ParseResult<Applied> => {
    const checked = checkAuthenticationConfiguration(text, options, initial);
    if (!initial) {
      // The start: fatal when invalid, never counted as a reload.
      if (!checked.ok) {
        bootFailure = checked;
        return { ok: false, errors: checked.errors };
      }
      initial = { anonymous: checked.compiled.anonymous };
      return { ok: true, value: apply(text, checked.compiled), warnings: [] };
    }
    if (!checked.ok) {
      record('failure');
      return { ok: false, errors: checked.errors };
    }
    record('success');
    return { ok: true, value: apply(text, checked.compiled), warnings: [] };
  };

  let reloading: ReloadingFile<Applied>;
  try {
    reloading = await loadAndWatch({
      file,
      label: 'authentication-configuration',
      parse,
      logger,
      intervalMs: options.reloadIntervalMs ?? AUTHENTICATION_CONFIGURATION_POLL_MS,
      ...(options.watch !== undefined ? { watch: options.watch } : {}),
    });
  } catch (error) {
    if (!(error instanceof FileLoadError)) throw error;
    const failure = bootFailure && !bootFailure.ok ? bootFailure : undefined;
    const errors = failure?.errors ?? error.problems;
    const message =
      failure?.stage === 'validate'
        ? `${file}: invalid authentication configuration: ${aggregate(errors)}`
        : `failed to load authentication configuration from file ${JSON.stringify(file)}: ${aggregate(errors)}`;
    throw new AuthenticationConfigurationError(file, errors, message);
  }

  const anonymousSection = reloading.current().compiled.anonymous;
  const anonymous = anonymousSection ? createConditionalAnonymous(anonymousSection) : undefined;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= reloading.close());

  const ABSTAINED: AuthOutcome = { kind: 'abstained' };
  const jwt: Strategy = {
    id: 'oidc',
    async authenticate(request) {
      const { byIssuer } = reloading.current();
      if (byIssuer.size === 0) return ABSTAINED;
      // Route by `iss` (unique per authenticator): one token, at most one signature check.
      const presented = bearerJwt(request.headers);
      if (presented.kind === 'none') return ABSTAINED;
      if (presented.kind === 'malformed') return { kind: 'rejected', reason: 'malformed_credentials', message: presented.message };
      const issuer = stringClaim(presented.claims, 'iss');
      const authenticator = issuer === undefined ? undefined : byIssuer.get(issuer);
      return authenticator ? authenticator.authenticate(request) : ABSTAINED;
    },
    close,
  };

  return {
    file,
    jwt,
    ...(anonymous ? { anonymous } : {}),
    configuresAnonymous: anonymousSection !== undefined,
    status: () => {
      const applied = reloading.current();
      return { reloads: { ...reloads }, lastReloadSeconds: { ...lastReloadSeconds }, configHash: applied.hash, jwtAuthenticators: applied.byIssuer.size };
    },
    close,
  };
}
