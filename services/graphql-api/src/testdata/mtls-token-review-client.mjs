// Calls createTokenReview of @kubernetes/client-node (ESM-only, so it runs in its own Node
// process, not inside jest) over mTLS, as kube-apiserver's token webhook does: the cluster's CA
// checks authtrail's serving certificate, the client certificate identifies the API server.
// stdin: {"server": "https://127.0.0.1:1234", "ca": PEM, "cert": PEM, "key": PEM, "tokens": ["...", ...]}
// stdout: [{"status": {...}} | {"error": "..."}], one per token, in order.
import { AuthenticationV1Api, KubeConfig } from '@kubernetes/client-node';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { server, ca, cert, key, tokens } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const base64 = (pem) => Buffer.from(pem, 'utf8').toString('base64');

const kc = new KubeConfig();
kc.loadFromOptions({
  clusters: [{ name: 'authtrail', server, caData: base64(ca) }],
  users: [{ name: 'kube-apiserver', certData: base64(cert), keyData: base64(key) }],
  contexts: [{ name: 'webhook', cluster: 'authtrail', user: 'kube-apiserver' }],
  currentContext: 'webhook',
});
const api = kc.makeApiClient(AuthenticationV1Api);

const results = [];
for (const token of tokens) {
  try {
    const answer = await api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
    results.push({ status: answer.status });
  } catch (error) {
    results.push({ error: String(error && error.message ? error.message : error).slice(0, 300) });
  }
}
process.stdout.write(JSON.stringify(results));
