// kube-apiserver token webhook (`--authentication-token-webhook-config-file`): TokenReview in,
// TokenReview out, HTTP 200 whatever the verdict (kube reads `status.authenticated`).
//
// Versions: kube-apiserver sends `--authentication-token-webhook-version` (default v1beta1) to the
// exact URL of its kubeconfig, so the path's version says nothing about the body's. Either
// version is accepted on either path and answered in the body's apiVersion (the path's when the
// body names none): the webhook client decodes the answer as the version it sent.
//
// `status.error` (k8s.io/apiserver plugin/pkg/authenticator/token/webhook): kube-apiserver turns a
// non-empty error into an authenticator error, and its token cache (`tokencache.New(webhook,
// false, ttl, ttl)`) never stores errors. So `error` is only for "the token could not be
// checked", never for a definitive "no": see tokenReviewError below and docs/authn.md.
import type { FastifyPluginAsync } from 'fastify';
import type { ReasonCode } from '@authtrail/events';
import { hopOf } from '../http/hop';
import { tokenReviewView, type Decision } from '@authtrail/authentication';
import { DECISION_ID_HEADER } from '../http/reply-headers';
import { errorResponses, userInfo } from '../http/schemas';
import type { RouteDeps } from './route-deps';
import { sendUnrecorded } from './route-deps';

const VERSIONS = ['v1', 'v1beta1'] as const;

interface TokenReviewBody {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly spec: { readonly token?: string; readonly audiences?: readonly string[] };
}

const API_VERSIONS = VERSIONS.map((v) => `authentication.k8s.io/${v}`);

const bodySchema = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { enum: API_VERSIONS },
    kind: { const: 'TokenReview' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        token: { type: 'string', maxLength: 16384 },
        audiences: { type: 'array', maxItems: 32, items: { type: 'string', maxLength: 1024 } },
      },
    },
    status: { type: 'object' },
  },
} as const;

const responseSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object', properties: { creationTimestamp: { type: 'null' } } },
    status: {
      type: 'object',
      properties: {
        authenticated: { type: 'boolean' },
        user: userInfo,
        audiences: { type: 'array', items: { type: 'string' } },
        error: { type: 'string' },
      },
      required: ['authenticated'],
    },
  },
  required: ['apiVersion', 'kind', 'status'],
} as const;

export const tokenReviewRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  for (const version of VERSIONS) {
    app.post<{ Body: TokenReviewBody }>(`/apis/authentication.k8s.io/${version}/tokenreviews`, {
      config: { endpoint: 'tokenreview' },
      schema: { body: bodySchema, response: { 200: responseSchema, ...errorResponses } },
      handler: async (request, reply) => {
        const started = request.startedNs;
        const { token = '', audiences = [] } = request.body.spec;
        const decision = await deps.decisions.decide('tokenreview', tokenReviewView(hopOf(request), deps.trusted, token, audiences), started);
        reply.header(DECISION_ID_HEADER, decision.id);
        if (decision.unrecorded) return sendUnrecorded(reply, decision);
        const { result } = decision;
        const apiVersion = request.body.apiVersion ?? `authentication.k8s.io/${version}`;
        if (result.decision === 'allow' && result.user) {
          return {
            apiVersion,
            kind: 'TokenReview',
            metadata: { creationTimestamp: null },
            status: {
              authenticated: true,
              // As it is: the response schema's serializer writes UserInfo's four members and changes nothing.
              user: result.user,
              // Audience-agnostic credentials (static tokens, certificates) are valid for what was asked.
              audiences: decision.audiences ?? audiences,
            },
          };
        }
        const error = tokenReviewError(decision);
        return { apiVersion, kind: 'TokenReview', metadata: { creationTimestamp: null }, status: { authenticated: false, ...(error !== undefined ? { error } : {}) } };
      },
    });
  }
};

/**
 * Rejections that only say "not mine": a token absent from a static or bootstrap table, a
 * service-account JWT of an issuer this strategy does not trust. When another strategy could not
 * check the token, they do not make the answer definitive.
 */
const NOT_THE_OWNER: ReadonlySet<ReasonCode> = new Set(['unknown_token', 'issuer_mismatch']);

/**
 * `status.error` of a refused TokenReview, or undefined when the refusal is definitive.
 *
 * Definitive (no error, so kube-apiserver may cache the "no" for its cache TTL): every rejection
 * by a strategy that owns the token (unknown, expired, bad signature, wrong audience, …), a
 * request no strategy could read (no or malformed token), and policy denials (revoked, denied
 * users and groups).
 * Could not be checked (error, never cached by kube-apiserver):
 * - a strategy errored (an IdP or JWKS unreachable, a strategy that failed) and no strategy gave
 *   more than a "not mine" rejection: the token may be valid;
 * - the credential is throttled: it was refused unseen, before any strategy ran, and may be
 *   valid once the block lifts (a cached "no" would outlive the block).
 * The event keeps the decision's own reason either way.
 */
export function tokenReviewError(decision: Pick<Decision, 'result' | 'outcome'>): string | undefined {
  const { result } = decision;
  if (result.decision === 'allow') return undefined;
  if (result.reason === 'throttled') return `not checked: ${result.message ?? 'throttled'}`;
  if (result.policy?.effects.some((effect) => effect.effect === 'deny')) return undefined;
  const errored = result.attempts.filter((attempt) => attempt.outcome === 'errored');
  if (errored.length === 0) return undefined;
  const definitive = result.attempts.some((attempt) => attempt.outcome === 'rejected' && (attempt.reason === undefined || !NOT_THE_OWNER.has(attempt.reason)));
  if (definitive) return undefined;
  // The chain's own answer was the error: its message says what could not be reached.
  if (decision.outcome === 'errored' && result.message) return `the token could not be checked: ${result.message}`;
  return `the token could not be checked: ${errored.map((attempt) => `${attempt.strategy} ${attempt.reason ?? 'errored'}`).join(', ')}`;
}
