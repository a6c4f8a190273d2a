import ipaddr from 'ipaddr.js';
import type { ParsedCidr } from './policy-document';

/** Parses `10.0.0.0/8` or `fd00::/8`; a bare address means that one host. Undefined when invalid. */
export function parseCidr(text: string): ParsedCidr | undefined {
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    range = text.includes('/') ? ipaddr.parseCIDR(text) : hostRange(ipaddr.parse(text));
  } catch {
    return undefined;
  }
  return {
    text,
    contains: (ip) => {
      // ipaddr.process turns ::ffff:10.1.2.3 (how Node reports IPv4 on a dual-stack socket) into 10.1.2.3.
      if (!ipaddr.isValid(ip)) return false;
      const address = ipaddr.process(ip);
      return address.kind() === range[0].kind() && address.match(range);
    },
  };
}

function hostRange(address: ipaddr.IPv4 | ipaddr.IPv6): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  return [address, address.kind() === 'ipv4' ? 32 : 128];
}
