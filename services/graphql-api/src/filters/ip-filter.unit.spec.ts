import fc from 'fast-check';
import { parseIpFilter } from './ip-filter';

describe('parseIpFilter', () => {
  it.each([
    ['an IPv4 address is an exact match', '10.1.2.3', { kind: 'exact', address: '10.1.2.3' }],
    ['surrounding spaces are ignored', ' 10.1.2.3 ', { kind: 'exact', address: '10.1.2.3' }],
    ['an IPv6 address is normalised', '2001:DB8:0:0::1', { kind: 'exact', address: '2001:db8::1' }],
    ['an IPv4 CIDR clears host bits', '10.1.2.3/8', { kind: 'cidr', network: '10.0.0.0/8' }],
    ['a /32 is a one-address network', '10.1.2.3/32', { kind: 'cidr', network: '10.1.2.3/32' }],
    ['an IPv6 CIDR clears host bits', 'fe80::1/10', { kind: 'cidr', network: 'fe80::/10' }],
    ['a zero-padded prefix length is read as decimal', '10.1.2.3/08', { kind: 'cidr', network: '10.0.0.0/8' }],
  ])('%s', (_name, input, match) => {
    expect(parseIpFilter(input)).toEqual({ ok: true, match });
  });

  it.each([
    ['an empty string', ''],
    ['a host name', 'localhost'],
    ['a short IPv4 form', '10.1'],
    ['an octal-looking IPv4', '010.1.2.3'],
    ['an IPv4 prefix over 32', '10.0.0.0/33'],
    ['an IPv6 prefix over 128', '::1/129'],
    ['a missing prefix length', '10.0.0.0/'],
    ['SQL', "1.2.3.4'; DROP TABLE decision; --"],
  ])('refuses %s', (_name, input) => {
    expect(parseIpFilter(input).ok).toBe(false);
  });

  it('never throws, whatever the input (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => expect(typeof parseIpFilter(text).ok).toBe('boolean')));
  });

  it('every four-part IPv4 address parses to itself (property)', () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => expect(parseIpFilter(ip)).toEqual({ ok: true, match: { kind: 'exact', address: ip } })));
  });

  it('every IPv6 address parses, and as a /128 it is a network (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(parseIpFilter(ip).ok).toBe(true);
        expect(parseIpFilter(`${ip}/128`).ok).toBe(true);
      }),
    );
  });
});
