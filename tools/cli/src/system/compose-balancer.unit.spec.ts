import fc from 'fast-check';
import { BalancerConfigError, parseStreamBalancer } from './compose-balancer';

const CONFIG = `
# a comment { with braces; }
worker_processes 1;
events { worker_connections 16; }
stream {
  resolver 127.0.0.11 valid=10s;
  upstream web { zone web 64k; server a-1:8080 resolve max_fails=1; server a-2:8080; }
  server { listen 9000; proxy_pass web; proxy_connect_timeout 2s; }
}
`;

describe('parseStreamBalancer', () => {
  it('reads the upstreams and the listeners of the stream block, in order, ignoring other directives', () => {
    expect(parseStreamBalancer(CONFIG)).toEqual({ upstreams: { web: [{ host: 'a-1', port: 8080 }, { host: 'a-2', port: 8080 }] }, listeners: [{ port: 9000, upstream: 'web' }] });
  });

  it.each([
    ['no stream block', 'events { }', 'expected one "stream { … }" block, found 0'],
    ['a block not closed', 'stream { upstream u { server a:1; }', 'a block is not closed (missing "}")'],
    ['a stray closing brace', 'stream { } }', 'a "}" without its "{"'],
    ['a directive without ";"', 'stream { upstream u { server a:1 } }', 'directive "server" is not ended by ";"'],
    ['proxy_pass to an unknown upstream', 'stream { upstream u { server a:1; } server { listen 1; proxy_pass v; } }', 'proxy_pass names "v", which is no upstream of the stream block'],
    ['a server that is not host:port', 'stream { upstream u { server unix:/tmp/s; } }', 'upstream u: server "unix:/tmp/s" is not host:port'],
    ['a port out of range', 'stream { upstream u { server a:70000; } }', 'upstream u: "70000" is not a port (1-65535)'],
    ['an upstream without servers', 'stream { upstream u { zone u 64k; } }', 'upstream u has no server'],
    ['a listener without proxy_pass', 'stream { upstream u { server a:1; } server { listen 1; } }', 'a stream server needs "listen" and "proxy_pass"'],
  ])('%s is refused with a BalancerConfigError that says what is wrong', (_, text, message) => {
    expect(() => parseStreamBalancer(text)).toThrow(new BalancerConfigError(message));
  });

  it('whatever the text, it returns a balancer or throws a BalancerConfigError, nothing else', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('stream', 'upstream', 'server', 'listen', 'proxy_pass', 'u', 'a:1', '{', '}', ';', ' ', '\n', '#') }), (text) => {
        try {
          parseStreamBalancer(text);
        } catch (error) {
          expect(error).toBeInstanceOf(BalancerConfigError);
        }
      }),
    );
  });

  it('a rendered config reads back as the upstreams and listeners it was rendered from', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    const host = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    const port = fc.integer({ min: 1, max: 65535 });
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 3 }), fc.array(fc.record({ host, port }), { minLength: 1, maxLength: 4 }), port, (names, servers, listen) => {
        const upstreams = Object.fromEntries(names.map((n) => [n, servers]));
        const text = `stream {\n${names.map((n) => `  upstream ${n} {\n${servers.map((s) => `    server ${s.host}:${s.port} max_fails=1;`).join('\n')}\n  }`).join('\n')}\n  server { listen ${listen}; proxy_pass ${names[0]}; }\n}\n`;
        expect(parseStreamBalancer(text)).toEqual({ upstreams, listeners: [{ port: listen, upstream: names[0] }] });
      }),
    );
  });
});
