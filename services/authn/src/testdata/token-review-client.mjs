// Calls createTokenReview of @kubernetes/client-node (ESM-only, so it runs in its own Node
// process, not inside jest) against the authn service, as kube-apiserver's webhook would.
// stdin: {"server": "http://127.0.0.1:1234", "reviews": [{"token": "...", "audiences": [...]}]}
// stdout: [{"status": {...}} | {"error": "..."}], one per review, in order.
import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { server, reviews } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'authtrail', server, skipTLSVerify: true }],
  users: [{ name: 'kube-apiserver' }],
  contexts: [{ name: 'webhook', cluster: 'authtrail', user: 'kube-apiserver' }],
  currentContext: 'webhook',
});
const api = kc.makeApiClient(AuthenticationV1Api);

const results = [];
for (const review of reviews) {
  try {
    const answer = await api.createTokenReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: review.token, ...(review.audiences ? { audiences: review.audiences } : {}) } },
    });
    results.push({ apiVersion: answer.apiVersion, kind: answer.kind, status: answer.status });
  } catch (error) {
    results.push({ error: String(error && error.message ? error.message : error).slice(0, 300) });
  }
}
process.stdout.write(JSON.stringify(results));
