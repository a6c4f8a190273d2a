// kube-apiserver token webhook (`--authentication-token-webhook-config-file`): TokenReview in,
// TokenReview out, HTTP 200 whatever the verdict (kube reads `status.authenticated`), in the
// apiVersion the request used.
import type { FastifyPluginAsync } from 'fastify';
import { hopOf } from '../http/hop';
import { tokenReviewView } from '@authtrail/authentication';
import { DECISION_ID_HEADER } from '../http/reply-headers';
import { errorResponses, userInfo } from '../http/schemas';
import type { RouteDeps } from './route-deps';
import { sendUnrecorded } from './route-deps';

const VERSIONS = ['v1', 'v1beta1'] as const;
type TokenReviewVersion = (typeof VERSIONS)[number];

interface TokenReviewBody {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly spec: { readonly token?: string; readonly audiences?: readonly string[] };
}

const bodySchema = (version: TokenReviewVersion) => ({
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { const: `authentication.k8s.io/${version}` },
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
});

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
      schema: { body: bodySchema(version), response: { 200: responseSchema, ...errorResponses } },
      handler: async (request, reply) => {
        const started = request.startedNs;
        const { token = '', audiences = [] } = request.body.spec;
        const decision = await deps.decisions.decide('tokenreview', tokenReviewView(hopOf(request), deps.trusted, token, audiences), started);
        reply.header(DECISION_ID_HEADER, decision.id);
        if (decision.unrecorded) return sendUnrecorded(reply, decision.id);
        const { result } = decision;
        const apiVersion = `authentication.k8s.io/${version}`;
        if (result.decision === 'allow' && result.user) {
          const { user } = result;
          return {
            apiVersion,
            kind: 'TokenReview',
            metadata: { creationTimestamp: null },
            status: {
              authenticated: true,
              user: { username: user.username, ...(user.uid !== undefined ? { uid: user.uid } : {}), groups: [...user.groups], extra: user.extra },
              // Audience-agnostic credentials (static tokens, certificates) are valid for what was asked.
              audiences: [...(decision.audiences ?? audiences)],
            },
          };
        }
        return { apiVersion, kind: 'TokenReview', metadata: { creationTimestamp: null }, status: { authenticated: false, error: result.message ?? result.reason } };
      },
    });
  }
};
