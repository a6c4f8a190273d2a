import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readForwardedCertificates } from './forwarded-client-cert';
import { directView, forwardAuthView, tokenReviewView, type IncomingHop } from './request-view';
import { createTrustedProxies, normalizeAddress, resolveClient, resolveClientAddress } from './trusted-proxies';

const trusted = createTrustedProxies(['10.0.0.0/8', '::1/128']);
const hop = (over: Partial<IncomingHop> = {}): IncomingHop => ({ peerAddress: '10.1.2.3', headers: {}, method: 'GET', url: '/v1/forward-auth', tls: false, peerCertificates: [], ...over });

describe('trusted proxies and the client address', () => {
  it.each([
    ['an untrusted peer is the client whatever X-Forwarded-For says', '192.0.2.1', ['1.1.1.1'], '192.0.2.1'],
    ['a trusted peer: the right-most untrusted hop is the client', '10.0.0.1', ['1.1.1.1', '2.2.2.2', '10.0.0.9'], '2.2.2.2'],
    ['a trusted peer with only trusted hops: the left-most hop', '10.0.0.1', ['10.0.0.7'], '10.0.0.7'],
    ['garbage in the chain stops the walk at the peer', '10.0.0.1', ['1.1.1.1', 'not-an-ip'], '10.0.0.1'],
    ['an IPv4-mapped IPv6 peer is matched as IPv4', '::ffff:10.0.0.1', ['198.51.100.1'], '198.51.100.1'],
  ])('%s', (_name, peer, xff, expected) => {
    expect(resolveClientAddress(peer.replace('::ffff:', ''), xff, trusted)).toBe(expected);
  });
  it('::ffff:-mapped peers are trusted by their IPv4 range', () => expect(trusted.isTrusted('::ffff:10.0.0.1')).toBe(true));

  it('never throws and always answers the peer or an address from the chain (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('10.0.0.1', '192.0.2.1', '::1'), fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 })), { maxLength: 6 }), (peer, chain) => {
        const client = resolveClientAddress(peer, chain, trusted);
        expect([peer, ...chain.map((h) => normalizeAddress(h))]).toContain(client);
      }),
    );
  });
});

describe('forwardAuthView', () => {
  it('uses X-Forwarded-Method/Uri/Proto from a trusted proxy, strips the query string', () => {
    const { view } = forwardAuthView(hop({ headers: { 'x-forwarded-method': 'post', 'x-forwarded-uri': '/a?token=t', 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.7' } }), trusted);
    expect(view).toMatchObject({ method: 'POST', path: '/a', tls: true, sourceIp: '198.51.100.7' });
  });
  it('nginx X-Original-URI is understood', () => {
    expect(forwardAuthView(hop({ headers: { 'x-original-uri': '/orig' } }), trusted).view.path).toBe('/orig');
  });
  it('ignores all of them from an untrusted peer, and never shows certificate headers to strategies', () => {
    const built = forwardAuthView(hop({ peerAddress: '192.0.2.5', headers: { 'x-forwarded-uri': '/a', 'x-forwarded-proto': 'https', 'ssl-client-cert': 'x', 'x-forwarded-for': '1.1.1.1' } }), trusted);
    expect(built.view).toMatchObject({ method: 'GET', path: '/v1/forward-auth', tls: false, sourceIp: '192.0.2.5', peerCertificates: [] });
    expect(built.view.headers['ssl-client-cert']).toBeUndefined();
    expect(built.forwardedFor).toEqual([]);
    expect(built.problem).toBeUndefined();
  });
});

describe('tokenReviewView and directView', () => {
  it('TokenReview turns the token into a bearer header and passes the audiences', () => {
    expect(tokenReviewView(hop({ method: 'POST' }), trusted, 'abc', ['api']).view).toMatchObject({ headers: { authorization: 'Bearer abc' }, audiences: ['api'] });
    expect(tokenReviewView(hop(), trusted, '', []).view.headers).toEqual({});
  });
  it('directView lower-cases header names and joins repeated values', () => {
    expect(directView(hop(), trusted, { headers: { 'X-A': ['1', '2'], Authorization: 'Bearer t' } }).view.headers).toEqual({ 'x-a': '1, 2', authorization: 'Bearer t' });
  });
});

describe('forwarded client certificates', () => {
  // A real certificate, made by the openssl CLI for this test.
  const pem = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'xfcc-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=jane', '-days', '1'], { stdio: 'ignore' });
    const text = readFileSync(join(dir, 'c.pem'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
    return text;
  })();

  it.each([
    ['no header is none', {}, 'none'],
    ['a URL-encoded garbage value is malformed', { 'ssl-client-cert': '%E0%A4%A' }, 'malformed'],
    ['a value without PEM is malformed', { 'ssl-client-cert': 'hello' }, 'malformed'],
    ['XFCC without a Cert element is malformed', { 'x-forwarded-client-cert': 'Hash=abc;Subject="CN=x"' }, 'malformed'],
    ['Traefik base64 that is not DER is malformed', { 'x-forwarded-tls-client-cert': 'AAAA' }, 'malformed'],
    ['two certificate headers at once are malformed: one of them came from the client', { 'ssl-client-cert': encodeURIComponent(pem), 'x-forwarded-client-cert': `Cert="${encodeURIComponent(pem)}"` }, 'malformed'],
  ])('%s', (_name, headers, kind) => expect(readForwardedCertificates(headers).kind).toBe(kind));

  it('a real certificate parses in the nginx, Envoy and Traefik formats', () => {
    const der = new X509Certificate(pem).raw.toString('base64');
    for (const headers of [{ 'ssl-client-cert': encodeURIComponent(pem) }, { 'x-forwarded-client-cert': `By=spiffe://a;Hash=1;Cert="${encodeURIComponent(pem)}"` }, { 'x-forwarded-tls-client-cert': encodeURIComponent(der) }]) {
      const parsed = readForwardedCertificates(headers);
      expect(parsed.kind === 'certificates' && parsed.chain[0]?.subject).toBe('CN=jane');
    }
  });

  describe('are believed only from clientCertificateProxies', () => {
    // 10.0.0.0/8 may speak for clients (X-Forwarded-*); only 10.9.0.0/16 terminates client TLS.
    const proxies = createTrustedProxies(['10.0.0.0/8', '127.0.0.1/32', '::1/128'], ['10.9.0.0/16']);
    const nginx = () => ({ 'ssl-client-cert': encodeURIComponent(pem) });
    const subjectOf = (built: { view: { peerCertificates: readonly X509Certificate[] } }) => built.view.peerCertificates[0]?.subject;

    it.each([
      ['a certificate header from a listed certificate proxy is used', '10.9.0.5', 'CN=jane'],
      ['a certificate header from a trusted proxy that is not a certificate proxy is ignored', '10.1.2.3', undefined],
      ['a certificate header from loopback is ignored (a local process or an SSRF is not a TLS proxy)', '127.0.0.1', undefined],
      ['a certificate header from IPv6 loopback is ignored', '::1', undefined],
      ['a certificate header from an untrusted peer is ignored', '192.0.2.5', undefined],
    ])('forward-auth: %s', (_sentence, peerAddress, subject) => {
      const built = forwardAuthView(hop({ peerAddress, headers: nginx() }), proxies);
      expect(subjectOf(built)).toBe(subject);
      expect(built.problem).toBeUndefined();
      expect(built.view.headers['ssl-client-cert']).toBeUndefined();
    });

    it.each([
      ['a clientCertificate from a listed certificate proxy is used, and implies TLS', '10.9.0.5', 'CN=jane', true],
      ['a clientCertificate from a trusted proxy that is not a certificate proxy is ignored', '10.1.2.3', undefined, false],
      ['a clientCertificate from loopback is ignored', '127.0.0.1', undefined, false],
    ])('/v1/authenticate: %s', (_sentence, peerAddress, subject, tls) => {
      const built = directView(hop({ peerAddress }), proxies, { headers: {}, clientCertificate: pem });
      expect(subjectOf(built)).toBe(subject);
      expect(built.view.tls).toBe(tls);
    });

    it('with the default (no certificate proxies) nobody hands over a certificate, not even a trusted proxy', () => {
      const defaults = createTrustedProxies(['127.0.0.1/32', '::1/128']);
      expect(subjectOf(forwardAuthView(hop({ peerAddress: '127.0.0.1', headers: nginx() }), defaults))).toBeUndefined();
      expect(subjectOf(directView(hop({ peerAddress: '127.0.0.1' }), defaults, { headers: {}, clientCertificate: pem }))).toBeUndefined();
      expect(defaults.isTrusted('127.0.0.1')).toBe(true);
    });

    it('garbage from a certificate proxy is a malformed_credentials problem; from anyone else it is ignored', () => {
      expect(forwardAuthView(hop({ peerAddress: '10.9.0.5', headers: { 'ssl-client-cert': '%ZZ' } }), proxies).problem?.reason).toBe('malformed_credentials');
      expect(forwardAuthView(hop({ peerAddress: '10.1.2.3', headers: { 'ssl-client-cert': '%ZZ' } }), proxies).problem).toBeUndefined();
    });
  });

  it('never throws on any header value (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('ssl-client-cert', 'x-forwarded-client-cert', 'x-forwarded-tls-client-cert'), fc.string({ maxLength: 300 }), (name, value) => {
        const parsed = readForwardedCertificates({ [name]: value });
        expect(['none', 'malformed', 'certificates']).toContain(parsed.kind);
      }),
    );
  });
});

describe('the caller of a request (request.caller): recorded, never a credential', () => {
  // kube-apiserver's webhook client certificate, made by the openssl CLI; self-signed, so its issuer is its subject.
  const callerPem = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'caller-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/O=kube-master/CN=kube-apiserver-webhook-client', '-set_serial', '0x5E2F01', '-days', '1'], { stdio: 'ignore' });
    const text = readFileSync(join(dir, 'c.pem'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
    return text;
  })();
  const janePem = (() => {
    const dir = mkdtempSync(join(tmpdir(), 'caller-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=jane', '-days', '1'], { stdio: 'ignore' });
    const text = readFileSync(join(dir, 'c.pem'), 'utf8');
    rmSync(dir, { recursive: true, force: true });
    return text;
  })();
  const callerCert = new X509Certificate(callerPem);
  const expectedCertificate = (verified: boolean) => ({
    subject: 'O=kube-master, CN=kube-apiserver-webhook-client',
    issuer: 'O=kube-master, CN=kube-apiserver-webhook-client',
    serial: '5E2F01',
    // The SHA-256 of the DER bytes of the PEM above.
    sha256: createHash('sha256').update(Buffer.from(callerPem.replace(/-----[^-]+-----|\s/g, ''), 'base64')).digest('hex'),
    verified,
  });
  // 10.0.0.0/8 may speak for clients; only 10.9.0.0/16 hands over client certificates.
  const proxies = createTrustedProxies(['10.0.0.0/8'], ['10.9.0.0/16']);
  const tokenReviewHop = (over: Partial<IncomingHop> = {}) => hop({ method: 'POST', url: '/apis/authentication.k8s.io/v1/tokenreviews', ...over });

  it('TokenReview over mTLS: the certificate is the caller’s, verified as the handshake said; the strategies see only the token', () => {
    const built = tokenReviewView(tokenReviewHop({ peerAddress: '192.0.2.10', tls: true, peerCertificates: [callerCert], peerCertificatesVerified: true }), proxies, 'the-token', []);
    expect(built.caller).toEqual({ certificate: expectedCertificate(true) });
    expect(built.view.peerCertificates).toEqual([]);
    expect(built.view.headers).toEqual({ authorization: 'Bearer the-token' });
    expect(built.view.sourceIp).toBe('192.0.2.10');
  });

  it('a certificate the handshake did not verify (or a hop that does not say) is recorded as unverified: its subject is only claimed', () => {
    expect(tokenReviewView(tokenReviewHop({ tls: true, peerCertificates: [callerCert], peerCertificatesVerified: false }), proxies, 't', []).caller?.certificate?.verified).toBe(false);
    expect(tokenReviewView(tokenReviewHop({ tls: true, peerCertificates: [callerCert] }), proxies, 't', []).caller?.certificate?.verified).toBe(false);
  });

  it.each([
    ['two trusted proxies: both, nearest the client first, the peer last', '10.0.0.1', '198.51.100.4, 10.0.0.7', '198.51.100.4', { proxies: ['10.0.0.7', '10.0.0.1'] }],
    ['one trusted proxy with the client behind it', '10.0.0.1', '198.51.100.4', '198.51.100.4', { proxies: ['10.0.0.1'] }],
    ['an IPv4-mapped peer is recorded as IPv4', '::ffff:10.0.0.1', '198.51.100.4', '198.51.100.4', { proxies: ['10.0.0.1'] }],
    ['a spoofed chain from an untrusted peer: no proxies, the peer is the client', '192.0.2.10', '198.51.100.4, 10.0.0.7', '192.0.2.10', undefined],
    ['a trusted peer without X-Forwarded-For is itself the client, no proxy', '10.0.0.1', undefined, '10.0.0.1', undefined],
    ['garbage in the chain: the chain is not believed, no proxies', '10.0.0.1', '198.51.100.4, not-an-address', '10.0.0.1', undefined],
  ])('TokenReview over plain HTTP, %s', (_sentence, peerAddress, xff, sourceIp, caller) => {
    const built = tokenReviewView(tokenReviewHop({ peerAddress, headers: xff ? { 'x-forwarded-for': xff } : {} }), proxies, 't', []);
    expect(built.view.sourceIp).toBe(sourceIp);
    expect(built.caller).toEqual(caller);
  });

  it('forward-auth over mTLS: the certificate is the credential (the strategies see it), not recorded as the caller', () => {
    const built = forwardAuthView(hop({ peerAddress: '10.0.0.1', tls: true, peerCertificates: [callerCert], peerCertificatesVerified: true, headers: { 'x-forwarded-for': '198.51.100.4' } }), proxies);
    expect(built.view.peerCertificates).toEqual([callerCert]);
    expect(built.caller).toEqual({ proxies: ['10.0.0.1'] });
  });

  it('forward-auth from a certificate proxy that hands over the client’s certificate: the socket’s certificate is the proxy’s, recorded as the caller', () => {
    const built = forwardAuthView(hop({ peerAddress: '10.9.0.5', tls: true, peerCertificates: [callerCert], peerCertificatesVerified: true, headers: { 'ssl-client-cert': encodeURIComponent(janePem) } }), proxies);
    expect(built.view.peerCertificates.map((c) => c.subject)).toEqual(['CN=jane']);
    expect(built.caller).toEqual({ certificate: expectedCertificate(true) });
  });

  it('/v1/authenticate over mTLS: the gateway’s certificate is the caller’s, the body’s certificate the credential; a believed sourceIp makes the gateway the proxy', () => {
    const built = directView(hop({ peerAddress: '10.9.0.5', tls: true, peerCertificates: [callerCert], peerCertificatesVerified: false }), proxies, { headers: {}, clientCertificate: janePem, sourceIp: '198.51.100.4' });
    expect(built.view.peerCertificates.map((c) => c.subject)).toEqual(['CN=jane']);
    expect(built.view.sourceIp).toBe('198.51.100.4');
    expect(built.caller).toEqual({ certificate: expectedCertificate(false), proxies: ['10.9.0.5'] });
    expect(directView(hop({ peerAddress: '192.0.2.10' }), proxies, { headers: {}, sourceIp: '198.51.100.4' }).caller).toBeUndefined();
  });

  it('resolveClient agrees with resolveClientAddress; every recorded proxy is trusted and the last one is the peer (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('10.0.0.1', '192.0.2.1', '10.9.0.5'), fc.array(fc.oneof(fc.ipV4(), fc.constantFrom('10.0.0.7', '10.1.1.1'), fc.string({ maxLength: 12 })), { maxLength: 6 }), (peer, chain) => {
        const client = resolveClient(peer, chain, proxies);
        expect(client.address).toBe(resolveClientAddress(peer, chain, proxies));
        for (const proxy of client.proxies) expect(proxies.isTrusted(proxy)).toBe(true);
        if (client.proxies.length > 0) expect(client.proxies.at(-1)).toBe(peer);
        else expect(client.address).toBe(peer);
      }),
    );
  });
});
