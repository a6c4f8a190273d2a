// Source-address filters: one address (`10.1.2.3`, `::1`) or a network in CIDR notation
// (`10.0.0.0/8`). Parsed here so Postgres never sees malformed input (a cast error would be a 500);
// networks are normalised (host bits cleared) because Postgres `cidr` refuses set host bits.
import ipaddr from 'ipaddr.js';
import type { IpMatch } from '@authtrail/read-model';

export type IpFilterParse = { readonly ok: true; readonly match: IpMatch } | { readonly ok: false; readonly reason: string };

export function parseIpFilter(text: string): IpFilterParse {
  const value = text.trim();
  if (value.length === 0 || value.length > 64) return { ok: false, reason: 'empty or too long' };
  // Four-part dotted decimal only for IPv4: ipaddr.js also accepts `10.1`, hex and octal forms.
  if (value.includes('/')) {
    if (ipaddr.IPv4.isValidCIDRFourPartDecimal(value)) {
      return { ok: true, match: { kind: 'cidr', network: `${ipaddr.IPv4.networkAddressFromCIDR(value).toString()}/${Number(value.split('/')[1])}` } };
    }
    if (value.includes(':') && ipaddr.IPv6.isValidCIDR(value)) {
      return { ok: true, match: { kind: 'cidr', network: `${ipaddr.IPv6.networkAddressFromCIDR(value).toString()}/${Number(value.split('/')[1])}` } };
    }
    return { ok: false, reason: 'not a CIDR network' };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(value)) return { ok: true, match: { kind: 'exact', address: ipaddr.IPv4.parse(value).toString() } };
  if (value.includes(':') && ipaddr.IPv6.isValid(value)) return { ok: true, match: { kind: 'exact', address: ipaddr.IPv6.parse(value).toString() } };
  return { ok: false, reason: 'not an IP address' };
}
