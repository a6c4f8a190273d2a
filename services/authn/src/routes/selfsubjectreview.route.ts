// "Who am I" (kubectl auth whoami): the caller's own credentials, SelfSubjectReview back (201),
// or a kube Status 401 when they do not authenticate. Served at every version kubectl tries
// (v1, then v1beta1, then v1alpha1 on 404), answered in the version of the path.
//
// kubectl sends its empty review as Kubernetes protobuf (`Content-Type:
// application/vnd.kubernetes.protobuf`, `Accept: application/vnd.kubernetes.protobuf,application/json`).
// The review has no spec, so the body is only checked (http/kube-protobuf.ts: the envelope and the
// type meta, which must name this version and kind when present) and the answer is JSON:
// client-go picks its decoder by the answer's Content-Type, and both headers of Accept it sends
// allow JSON (k8s.io/client-go/rest: transformResponse, setAcceptHeader).
import type { FastifyPluginAsync } from 'fastify';
import { hopOf } from '../http/hop';
import { selfView } from '@authtrail/authentication';
import { KUBE_PROTOBUF_CONTENT_TYPE, KubeProtobufError, parseKubeProtobufEnvelope } from '../http/kube-protobuf';
import { DECISION_ID_HEADER } from '../http/reply-headers';
import { errorBody, userInfo } from '../http/schemas';
import type { RouteDeps } from './route-deps';
import { sendUnrecorded, wwwAuthenticate } from './route-deps';

const SELF_SUBJECT_REVIEW_VERSIONS = ['v1', 'v1beta1', 'v1alpha1'] as const;

const kubeStatus = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    apiVersion: { type: 'string' },
    metadata: { type: 'object' },
    status: { type: 'string' },
    message: { type: 'string' },
    reason: { type: 'string' },
    code: { type: 'integer' },
    details: { type: 'object', properties: { causes: { type: 'array', items: { type: 'object', properties: { reason: { type: 'string' } } } } } },
  },
} as const;

const responseSchema = {
  201: {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', properties: { creationTimestamp: { type: 'string' } } },
      status: { type: 'object', properties: { userInfo } },
    },
  },
  401: kubeStatus,
  403: kubeStatus,
  429: kubeStatus,
  400: errorBody,
  413: errorBody,
  415: errorBody,
  503: errorBody,
  '5xx': errorBody,
} as const;

export const selfSubjectReviewRoutes: FastifyPluginAsync<RouteDeps> = async (app, deps) => {
  // Only in this plugin's context: every other endpoint still answers 415 to protobuf.
  app.addContentTypeParser(KUBE_PROTOBUF_CONTENT_TYPE, { parseAs: 'buffer' }, (_request, body, done) => {
    const envelope = parseKubeProtobufEnvelope(body as Buffer);
    if (!envelope.ok) {
      done(new KubeProtobufError(envelope.problem), undefined);
      return;
    }
    // What the JSON body schema checks: the type meta is the only part of the review read.
    done(null, { ...envelope.typeMeta });
  });

  for (const version of SELF_SUBJECT_REVIEW_VERSIONS) {
    const apiVersion = `authentication.k8s.io/${version}`;
    app.post(`/apis/authentication.k8s.io/${version}/selfsubjectreviews`, {
      config: { endpoint: 'selfsubjectreview' },
      schema: {
        // kubectl sends an empty SelfSubjectReview; a request without a body is accepted too. A
        // body of another version or kind is refused, as kube-apiserver does.
        body: {
          type: ['object', 'null'],
          properties: { apiVersion: { const: apiVersion }, kind: { const: 'SelfSubjectReview' }, metadata: { type: 'object' }, status: { type: 'object' } },
        },
        response: responseSchema,
      },
      handler: async (request, reply) => {
        const decision = await deps.decisions.decide('selfsubjectreview', selfView(hopOf(request), deps.trusted), request.startedNs);
        reply.header(DECISION_ID_HEADER, decision.id);
        if (decision.unrecorded) return sendUnrecorded(reply, decision);
        const { result } = decision;
        if (result.decision === 'allow' && result.user) {
          const { user } = result;
          return reply.code(201).send({
            apiVersion,
            kind: 'SelfSubjectReview',
            // RFC 3339 in whole seconds, as metav1.Time writes it.
            metadata: { creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
            status: { userInfo: { username: user.username, ...(user.uid !== undefined ? { uid: user.uid } : {}), groups: [...user.groups], extra: user.extra } },
          });
        }
        if (result.httpStatus === 401) reply.header('www-authenticate', wwwAuthenticate(deps.basicAuth));
        if (decision.retryAfterSeconds !== undefined) reply.header('retry-after', String(decision.retryAfterSeconds));
        return reply.code(result.httpStatus).send({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: result.message ?? 'Unauthorized',
          reason: result.httpStatus === 401 ? 'Unauthorized' : result.httpStatus === 429 ? 'TooManyRequests' : 'Forbidden',
          code: result.httpStatus,
          details: { causes: [{ reason: result.reason }] },
        });
      },
    });
  }
};
