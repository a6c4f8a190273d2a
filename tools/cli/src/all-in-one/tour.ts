// The demo tour: what `npm start` prints, and (the same commands, verbatim) the README's tour.
// tour.e2e.spec.ts runs every command against a real `npm start` and checks its answer, and
// checks that the README holds each command unchanged.
import type { RunningAuthn } from '@authtrail/authn';
import type { DemoEnvironment } from '../demo/demo-environment';

export interface TourStep {
  readonly title: string;
  readonly command: string;
  /** What the answer must contain (checked by the tour test). */
  readonly expect: string;
}

const tokenReview = (tokenVariable: string, audiences = '') =>
  `curl -s http://127.0.0.1:8080/apis/authentication.k8s.io/v1/tokenreviews -H 'content-type: application/json' ` +
  `-d '{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"'"$${tokenVariable}"'"${audiences}}}'`;

export const TOUR_STEPS: readonly TourStep[] = [
  { title: 'a static token through the TokenReview webhook', command: tokenReview('ALICE_TOKEN'), expect: '"username":"alice"' },
  { title: 'a bootstrap token', command: tokenReview('BOOTSTRAP_TOKEN'), expect: '"username":"system:bootstrap:' },
  {
    title: 'a service-account token, asking for its audience',
    command: tokenReview('SA_TOKEN', ',"audiences":["authtrail-demo"]'),
    expect: '"username":"system:serviceaccount:demo:builder"',
  },
  {
    title: 'basic auth through forward-auth (nginx auth_request, Traefik ForwardAuth)',
    command: `curl -s -o /dev/null -D - -u "bob:$BOB_PASSWORD" http://127.0.0.1:8080/v1/forward-auth`,
    expect: 'x-remote-user: bob',
  },
  {
    title: 'a client certificate over mTLS: who am I?',
    command:
      `curl -s --cacert "$DEMO/ca.crt" --cert "$DEMO/carol.crt" --key "$DEMO/carol.key" ` +
      `https://127.0.0.1:8443/apis/authentication.k8s.io/v1/selfsubjectreviews -H 'content-type: application/json' ` +
      `-d '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}'`,
    expect: '"username":"carol"',
  },
  {
    title: 'an OIDC id-token through the direct API',
    command:
      `curl -s http://127.0.0.1:8080/v1/authenticate -H 'content-type: application/json' ` +
      `-d '{"headers":{"authorization":"Bearer '"$OIDC_TOKEN"'"},"audiences":["authtrail-demo"]}'`,
    expect: '"username":"dave@example.com"',
  },
  {
    title: 'a wrong token: 401, and recorded',
    command: `curl -s -o /dev/null -w '%{http_code}\\n' -H 'authorization: Bearer not-a-real-token' http://127.0.0.1:8080/v1/forward-auth`,
    expect: '401',
  },
  {
    title: 'ask GraphQL who did what (give the projector a second)',
    command:
      `sleep 2; curl -s http://127.0.0.1:4000/graphql -H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' ` +
      `-d '{"query":"{ identities(first: 20) { totalCount edges { node { username kind successCount } } } authFailures(first: 5) { totalCount edges { node { reason sourceIp } } } }"}'`,
    expect: '"username":"alice"',
  },
];

export interface TourContext {
  readonly demo: DemoEnvironment;
  readonly authn: RunningAuthn;
  readonly graphqlUrl: string;
  readonly serviceAccountToken: string;
  readonly oidcToken: string;
}

/** Shell `export` lines that give the tour commands their credentials. */
export function tourEnvironment(context: TourContext): Record<string, string> {
  const { secrets } = context.demo;
  return {
    DEMO: context.demo.dir,
    ADMIN_TOKEN: secrets.adminToken,
    ALICE_TOKEN: secrets.viewerToken,
    BOOTSTRAP_TOKEN: secrets.bootstrapToken,
    BOB_PASSWORD: secrets.basicPassword,
    SA_TOKEN: context.serviceAccountToken,
    OIDC_TOKEN: context.oidcToken,
  };
}

export function tourText(context: TourContext): string {
  const env = tourEnvironment(context);
  return [
    '',
    'authtrail is running (demo mode: embedded PostgreSQL, in-process bus)',
    '',
    `  authn        ${context.authn.http.url}   ${context.authn.https?.url ?? ''}`,
    `  GraphQL      ${context.graphqlUrl}/graphql   playground: ${context.graphqlUrl}/playground`,
    `  admin token  ${env['ADMIN_TOKEN']}   (paste it into the playground's "Authorization for every tab")`,
    '',
    'Paste these to get the demo credentials into your shell (demo only: they are secrets):',
    '',
    ...Object.entries(env).map(([name, value]) => `export ${name}='${value}'`),
    '',
    'Then take the tour:',
    '',
    ...TOUR_STEPS.flatMap((step) => [`# ${step.title}`, step.command, '']),
    'Ctrl-C stops everything (events are flushed first).',
    '',
  ].join('\n');
}
