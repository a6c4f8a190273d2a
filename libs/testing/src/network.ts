import { networkInterfaces } from 'node:os';

/** An IPv4 address of this machine other than loopback: reachable only through a listener on all interfaces (0.0.0.0). */
export function nonLoopbackIpv4(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!address) throw new Error('this test needs a non-loopback IPv4 address to tell a listener on 0.0.0.0 from one on 127.0.0.1');
  return address;
}
