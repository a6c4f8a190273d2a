import fc from 'fast-check';
import { DECISION_EVENT_TYPE, type DecisionData, type NormalizedField } from './decision.event';
import { immutableSection, normalizeDecisionData } from './decision-normalize';
import { decisionEvent } from './event.builders';
import { validateEventData } from './schema-validators';
import { decisionDataArbitrary, hostileDecisionDataArbitrary } from './testdata/event.arbitraries';
import { DENIED_DECISION, FIXED_ID, FIXED_TIME, SOURCE } from './testdata/event.fixtures';

// The oracle below restates the rules of the contract (issue #14 §3) independently of the code:
// which code units are forbidden, the limit of each field, and which field a change is reported as.
const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;
const BIDI = new Set([0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]);

/** Indexes of the code units that must become U+FFFD. */
function forbiddenUnits(value: string): number[] {
  const found: number[] = [];
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    const control = unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f) || unit === 0x2028 || unit === 0x2029 || BIDI.has(unit);
    const loneHigh = isHigh(unit) && !(i + 1 < value.length && isLow(value.charCodeAt(i + 1)));
    const loneLow = isLow(unit) && !(i > 0 && isHigh(value.charCodeAt(i - 1)));
    if (control || loneHigh || loneLow) found.push(i);
  }
  return found;
}

const codePoints = (value: string): number => [...value].length;

const STRING_LIMITS: Readonly<Record<string, number>> = { 'request.path': 2048, 'request.userAgent': 512, message: 512 };
const LIST_LIMITS: Readonly<Record<string, number>> = { 'request.forwardedFor': 32, 'request.caller.proxies': 32 };
const LIST_FIELDS = new Set(['attempts', 'user.groups', 'user.extra', 'credential.audiences', 'request.forwardedFor', 'request.caller.proxies', 'policy.effects']);

/** What `normalized` must say for `data`: every string walked, lists and maps cut first. */
function expectedNormalized(data: DecisionData): NormalizedField[] {
  const marks = new Set<string>();
  const text = (value: string, path: string, report: string | undefined) => {
    const field = report ?? path;
    if (forbiddenUnits(value).length > 0) marks.add(`${field} replaced`);
    if (codePoints(value) > (report === undefined ? (STRING_LIMITS[path] ?? 1024) : 1024)) marks.add(`${field} truncated`);
  };
  const walk = (value: unknown, path: string, report: string | undefined): void => {
    if (typeof value === 'string') text(value, path, report);
    else if (Array.isArray(value)) {
      const max = LIST_LIMITS[path] ?? 1000;
      const field = report ?? path;
      if (value.length > max) marks.add(`${field} truncated`);
      value.slice(0, max).forEach((item) => walk(item, path, field));
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      if (path === 'user.extra') {
        if (entries.length > 64) marks.add('user.extra truncated');
        for (const [key, item] of entries.slice(0, 64)) {
          text(key, path, 'user.extra');
          walk(item, path, 'user.extra');
        }
        return;
      }
      for (const [key, item] of entries) {
        const child = path ? `${path}.${key}` : key;
        walk(item, child, report ?? (LIST_FIELDS.has(child) && !Array.isArray(item) ? child : undefined));
      }
    }
  };
  walk(data, '', undefined);
  return [...marks].sort().map((mark) => {
    const [field, action] = mark.split(' ') as [string, NormalizedField['action']];
    return { field, action };
  });
}

/** Every string of `value` (and every key of `user.extra`) with its path. */
function stringsOf(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item) => stringsOf(item, path));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => [...(path === 'user.extra' ? ([[path, key]] as [string, string][]) : []), ...stringsOf(item, path ? `${path}.${key}` : key)]);
  }
  return [];
}

const base: DecisionData = { ...DENIED_DECISION, request: { endpoint: 'authenticate', sourceIp: '10.0.0.7' } };
const withRequest = (request: Partial<DecisionData['request']>): DecisionData => ({ ...base, request: { ...base.request, ...request } });
const FFFD = '\ufffd';

describe('normalizeDecisionData', () => {
  const cases: ReadonlyArray<readonly [string, DecisionData, (out: DecisionData) => unknown, unknown, NormalizedField[] | undefined]> = [
    ['a NUL in the user agent becomes U+FFFD and is marked replaced', withRequest({ userAgent: 'curl\u0000/8' }), (d) => d.request.userAgent, `curl${FFFD}/8`, [{ field: 'request.userAgent', action: 'replaced' }]],
    ['a lone high surrogate in the path becomes one U+FFFD', withRequest({ path: '/a\ud800b' }), (d) => d.request.path, `/a${FFFD}b`, [{ field: 'request.path', action: 'replaced' }]],
    ['a lone low surrogate (and one at the end after a high one) become U+FFFD each', withRequest({ path: '\udc00x\ud83d' }), (d) => d.request.path, `${FFFD}x${FFFD}`, [{ field: 'request.path', action: 'replaced' }]],
    ['C0 and C1 controls and DEL are replaced one for one', withRequest({ method: 'G\u001bE\u0085T\u007f\u009f' }), (d) => d.request.method, `G${FFFD}E${FFFD}T${FFFD}${FFFD}`, [{ field: 'request.method', action: 'replaced' }]],
    ['bidi controls (a "Trojan Source" override) are replaced', { ...base, message: 'user \u202eexe.txt\u2066\u2069\u061c\u200e\u200f' }, (d) => d.message, `user ${FFFD}exe.txt${FFFD.repeat(5)}`, [{ field: 'message', action: 'replaced' }]],
    ['U+2028 and U+2029 (line breaks to JavaScript and some log viewers) are replaced', { ...base, claimedUsername: 'a\u2028b\u2029' }, (d) => d.claimedUsername, `a${FFFD}b${FFFD}`, [{ field: 'claimedUsername', action: 'replaced' }]],
    ['an emoji (a valid surrogate pair) and other text are kept as they are', withRequest({ userAgent: 'app 😀 👩‍💻 é\u00a0' }), (d) => d.request.userAgent, 'app 😀 👩‍💻 é\u00a0', undefined],
    ['a 16 KiB user agent keeps its first 512 code points', withRequest({ userAgent: 'u'.repeat(16 * 1024) }), (d) => d.request.userAgent, 'u'.repeat(512), [{ field: 'request.userAgent', action: 'truncated' }]],
    ['a 16 KiB path keeps its first 2048 code points', withRequest({ path: `/${'p'.repeat(16 * 1024)}` }), (d) => d.request.path?.length, 2048, [{ field: 'request.path', action: 'truncated' }]],
    ['a long message keeps 512 code points', { ...base, message: 'm'.repeat(600) }, (d) => d.message?.length, 512, [{ field: 'message', action: 'truncated' }]],
    ['any other string keeps 1024 code points', { ...base, claimedUsername: 'c'.repeat(5000) }, (d) => d.claimedUsername?.length, 1024, [{ field: 'claimedUsername', action: 'truncated' }]],
    ['truncation counts code points and never splits an emoji', withRequest({ userAgent: '😀'.repeat(600) }), (d) => d.request.userAgent, '😀'.repeat(512), [{ field: 'request.userAgent', action: 'truncated' }]],
    ['a string over the limit in code units but not in code points is kept', withRequest({ userAgent: '😀'.repeat(300) }), (d) => d.request.userAgent, '😀'.repeat(300), undefined],
    ['replaced and truncated both show, sorted by field then action', withRequest({ userAgent: `\u0000${'x'.repeat(600)}`, method: 'G\u0000' }), (d) => [d.request.userAgent?.length, d.request.method], [512, `G${FFFD}`], [{ field: 'request.method', action: 'replaced' }, { field: 'request.userAgent', action: 'replaced' }, { field: 'request.userAgent', action: 'truncated' }]],
    ['40 forwarded-for addresses keep the first 32', withRequest({ forwardedFor: Array.from({ length: 40 }, (_, i) => `10.0.0.${i}`) }), (d) => d.request.forwardedFor, Array.from({ length: 32 }, (_, i) => `10.0.0.${i}`), [{ field: 'request.forwardedFor', action: 'truncated' }]],
    ['a control character in one forwarded-for item is reported as the list', withRequest({ forwardedFor: ['10.0.0.1', 'x\u0000'] }), (d) => d.request.forwardedFor, ['10.0.0.1', `x${FFFD}`], [{ field: 'request.forwardedFor', action: 'replaced' }]],
    ['1200 groups keep the first 1000', { ...base, decision: 'allow', user: { username: 'a', groups: Array.from({ length: 1200 }, (_, i) => `g${i}`), extra: {} } }, (d) => d.user?.groups.length, 1000, [{ field: 'user.groups', action: 'truncated' }]],
    ['70 extra keys keep the first 64, in order', { ...base, user: { username: 'a', groups: [], extra: Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, ['v']])) } }, (d) => Object.keys(d.user?.extra ?? {}), Array.from({ length: 64 }, (_, i) => `k${i}`), [{ field: 'user.extra', action: 'truncated' }]],
    ['a control character in an extra key is replaced in the key, reported as user.extra', { ...base, user: { username: 'a', groups: [], extra: { 'k\u0000': ['v'], ok: ['w'] } } }, (d) => d.user?.extra, { [`k${FFFD}`]: ['v'], ok: ['w'] }, [{ field: 'user.extra', action: 'replaced' }]],
    ['an extra key named __proto__ stays an own key, not a prototype', { ...base, user: { username: 'a', groups: [], extra: JSON.parse('{"__proto__":["v"],"b\\u0000":["w"]}') } }, (d) => Object.entries(d.user?.extra ?? {}), [['__proto__', ['v']], [`b${FFFD}`, ['w']]], [{ field: 'user.extra', action: 'replaced' }]],
    ['a lone surrogate in a strategy name of an attempt is reported as attempts', { ...base, attempts: [{ strategy: 'basic\udfff', outcome: 'rejected' }] }, (d) => d.attempts[0]?.strategy, `basic${FFFD}`, [{ field: 'attempts', action: 'replaced' }]],
    ['a policy effect message with a NUL is reported as policy.effects', { ...base, policy: { version: 1, effects: [{ rule: 'r', effect: 'warn', message: 'm\u0000' }] } }, (d) => d.policy?.effects[0]?.message, `m${FFFD}`, [{ field: 'policy.effects', action: 'replaced' }]],
    ['a certificate subject with a newline is replaced', { ...base, credential: { type: 'x509', x509: { serial: '01', subject: 'CN=a\nO=b', issuer: 'CN=ca', notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', sha256: 'ab'.repeat(32) } } }, (d) => d.credential?.x509?.subject, `CN=a${FFFD}O=b`, [{ field: 'credential.x509.subject', action: 'replaced' }]],
    ['a webhook caller\'s certificate subject with a bidi override is replaced and marked under request.caller', withRequest({ caller: { certificate: { subject: 'CN=kube\u202eapiserver', issuer: 'CN=ca', serial: '0A', sha256: 'cd'.repeat(32), verified: true } } }), (d) => d.request.caller, { certificate: { subject: `CN=kube${FFFD}apiserver`, issuer: 'CN=ca', serial: '0A', sha256: 'cd'.repeat(32), verified: true } }, [{ field: 'request.caller.certificate.subject', action: 'replaced' }]],
    ['a webhook caller\'s issuer over 1024 code points is cut, its proxies kept', withRequest({ caller: { certificate: { subject: 'CN=a', issuer: `CN=${'i'.repeat(2000)}`, serial: '01', sha256: 'cd'.repeat(32), verified: false }, proxies: ['10.0.0.1', '10.0.0.2'] } }), (d) => [d.request.caller?.certificate?.issuer.length, d.request.caller?.proxies], [1024, ['10.0.0.1', '10.0.0.2']], [{ field: 'request.caller.certificate.issuer', action: 'truncated' }]],
    ['40 caller proxies keep the first 32', withRequest({ caller: { proxies: Array.from({ length: 40 }, (_, i) => `10.1.0.${i}`) } }), (d) => d.request.caller?.proxies, Array.from({ length: 32 }, (_, i) => `10.1.0.${i}`), [{ field: 'request.caller.proxies', action: 'truncated' }]],
    ['entries already on the input are kept and merged with new ones', { ...base, message: 'a\u0000', normalized: [{ field: 'request.path', action: 'truncated' }] }, (d) => d.message, `a${FFFD}`, [{ field: 'message', action: 'replaced' }, { field: 'request.path', action: 'truncated' }]],
  ];

  it.each(cases)('%s', (_sentence, input, select, value, normalized) => {
    const out = normalizeDecisionData(input);
    expect(select(out)).toEqual(value);
    expect(out.normalized).toEqual(normalized);
    expect(validateEventData(DECISION_EVENT_TYPE, JSON.parse(JSON.stringify(out)))).toEqual({ ok: true });
  });

  it('data that needs no change is returned as it is (the same object: nothing copied)', () => {
    expect(normalizeDecisionData(DENIED_DECISION)).toBe(DENIED_DECISION);
  });

  it('changes nothing outside the changed field: unchanged sections are shared, not copied', () => {
    const input: DecisionData = { ...DENIED_DECISION, message: 'bad\u0000' };
    const out = normalizeDecisionData(input);
    expect(out.request).toBe(input.request);
    expect(out.attempts).toBe(input.attempts);
    expect(out.policy).toBe(input.policy);
    expect(input.message).toBe('bad\u0000');
  });

  it('decisionEvent() normalises: the event a producer builds carries the safe data and its marks', () => {
    const event = decisionEvent({ id: FIXED_ID, time: FIXED_TIME, source: SOURCE, data: withRequest({ userAgent: 'x\u0000' }) });
    expect(event.data.request.userAgent).toBe(`x${FFFD}`);
    expect(event.data.normalized).toEqual([{ field: 'request.userAgent', action: 'replaced' }]);
  });
});

describe('normalizeDecisionData (properties over hostile input)', () => {
  const runs = { numRuns: 300 };

  it('the output always satisfies the decision data schema', () => {
    fc.assert(
      fc.property(hostileDecisionDataArbitrary, (data) => {
        expect(validateEventData(DECISION_EVENT_TYPE, JSON.parse(JSON.stringify(normalizeDecisionData(data))))).toEqual({ ok: true });
      }),
      runs,
    );
  });

  it('the output contains no forbidden code unit and respects every limit', () => {
    fc.assert(
      fc.property(hostileDecisionDataArbitrary, (data) => {
        const out = normalizeDecisionData(data);
        const limitOf = (path: string) => (path === 'request.path' ? 2048 : path === 'request.userAgent' || path === 'message' ? 512 : 1024);
        // One assertion over every string: expect() per string is slow over 1000-item lists.
        const unsafe = stringsOf(out).filter(([path, value]) => forbiddenUnits(value).length > 0 || (value.length > limitOf(path) && codePoints(value) > limitOf(path)));
        expect(unsafe).toEqual([]);
        expect(out.request.forwardedFor?.length ?? 0).toBeLessThanOrEqual(32);
        for (const list of [out.user?.groups, out.credential?.audiences, out.attempts, out.policy?.effects, ...Object.values(out.user?.extra ?? {})]) expect(list?.length ?? 0).toBeLessThanOrEqual(1000);
        expect(Object.keys(out.user?.extra ?? {}).length).toBeLessThanOrEqual(64);
      }),
      runs,
    );
  });

  it('each kept string is its input with forbidden units replaced, cut to whole code points', () => {
    fc.assert(
      fc.property(hostileDecisionDataArbitrary, (data) => {
        const out = normalizeDecisionData(data);
        const input = data.request.userAgent;
        if (input === undefined) return;
        let expected = '';
        const bad = new Set(forbiddenUnits(input));
        for (let i = 0; i < input.length; i += 1) expected += bad.has(i) ? FFFD : input[i];
        expect(out.request.userAgent).toBe([...expected].slice(0, 512).join(''));
      }),
      runs,
    );
  });

  it('`normalized` lists exactly the (field, action) pairs the input needed, so it is absent exactly when nothing needed a change', () => {
    fc.assert(
      fc.property(fc.oneof(hostileDecisionDataArbitrary, decisionDataArbitrary), (data) => {
        const expected = expectedNormalized(data);
        const out = normalizeDecisionData(data);
        expect(out.normalized ?? []).toEqual(expected);
        if (expected.length === 0) expect(out).toBe(data);
      }),
      runs,
    );
  });

  it('user, credential and attempts sections shared between events (immutableSection) are normalised exactly as fresh copies, every time', () => {
    fc.assert(
      fc.property(fc.oneof(hostileDecisionDataArbitrary, decisionDataArbitrary), (data) => {
        const fresh = () => structuredClone(data);
        const shared: DecisionData = {
          ...fresh(),
          ...(data.user ? { user: immutableSection(structuredClone(data.user)) } : {}),
          ...(data.credential ? { credential: immutableSection(structuredClone(data.credential)) } : {}),
          attempts: immutableSection(structuredClone(data.attempts)),
        };
        // Twice: the second time the sections are the ones already checked.
        for (let time = 0; time < 2; time += 1) {
          const out = normalizeDecisionData({ ...shared, request: fresh().request });
          expect(out).toEqual(normalizeDecisionData(fresh()));
        }
      }),
      runs,
    );
  });

  it('immutableSection freezes every object of the section, and leaves its arrays (the producer’s own copies) as JSON.stringify reads them fastest', () => {
    const user = immutableSection({ username: 'a', groups: ['g'], extra: { k: ['v'] } });
    expect([Object.isFrozen(user), Object.isFrozen(user.extra), Object.isFrozen(user.groups), Object.isFrozen(user.extra['k'])]).toEqual([true, true, false, false]);
  });

  it('is idempotent: normalising normalised data returns it unchanged', () => {
    fc.assert(
      fc.property(hostileDecisionDataArbitrary, (data) => {
        const once = normalizeDecisionData(data);
        expect(normalizeDecisionData(once)).toBe(once);
      }),
      runs,
    );
  });
});
