import fc from 'fast-check';
import { BalancerConfigError } from './compose-balancer';
import { localBalancerConfig, NginxBuildError, parseNginxBuild, versionAtLeast, type NginxBuild, type NginxVersion } from './compose-nginx';

const versionOutput = (version: string, configure: string) => `nginx version: nginx/${version}\nbuilt with OpenSSL 3.0.15 3 Sep 2024\nTLS SNI support enabled\nconfigure arguments: ${configure}\n`;

describe('parseNginxBuild (the output of nginx -V)', () => {
  it("Debian's build: stream is a module under --modules-path", () => {
    const text = versionOutput('1.22.1', "--with-cc-opt='-g -O2 -fPIC' --prefix=/usr/share/nginx --modules-path=/usr/lib/nginx/modules --with-stream_ssl_module --with-mail=dynamic --with-stream=dynamic --with-stream_geoip_module=dynamic");
    expect(parseNginxBuild(text)).toEqual({ version: [1, 22, 1], streamModule: '/usr/lib/nginx/modules/ngx_stream_module.so' });
  });

  it("the official image's build: stream built in, nothing to load", () => {
    expect(parseNginxBuild(versionOutput('1.28.0', '--prefix=/etc/nginx --modules-path=/usr/lib/nginx/modules --with-stream --with-stream_ssl_module'))).toEqual({ version: [1, 28, 0] });
  });

  it('a dynamic stream module without --modules-path is under the prefix', () => {
    expect(parseNginxBuild(versionOutput('1.24.0', '--prefix=/opt/nginx --with-stream=dynamic')).streamModule).toBe('/opt/nginx/modules/ngx_stream_module.so');
  });

  it.each([
    ['no version line', 'configure arguments: --with-stream', 'nginx -V: its output has no "nginx version: nginx/X.Y.Z"'],
    ['no stream module', versionOutput('1.22.1', '--with-stream_ssl_module --with-http_ssl_module'), 'this nginx has no stream module: its configure arguments have neither --with-stream nor --with-stream=dynamic'],
  ])('%s is refused with an NginxBuildError that says why', (_, text, message) => {
    expect(() => parseNginxBuild(text)).toThrow(new NginxBuildError(message));
  });

  it('reads back the version and module directory it is given, and refuses other text with an NginxBuildError', () => {
    const part = fc.integer({ min: 0, max: 999 });
    fc.assert(
      fc.property(fc.tuple(part, part, part), fc.stringMatching(/^\/[a-z]{1,8}(\/[a-z]{1,8}){0,2}$/), (version, modules) => {
        expect(parseNginxBuild(versionOutput(version.join('.'), `--modules-path=${modules} --with-stream=dynamic`))).toEqual({ version, streamModule: `${modules}/ngx_stream_module.so` });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseNginxBuild(text);
        } catch (error) {
          expect(error).toBeInstanceOf(NginxBuildError);
        }
      }),
    );
  });
});

describe('versionAtLeast', () => {
  it.each([
    [[1, 22, 1], [1, 27, 3], false],
    [[1, 27, 2], [1, 27, 3], false],
    [[1, 27, 3], [1, 27, 3], true],
    [[1, 28, 0], [1, 27, 3], true],
    [[2, 0, 0], [1, 27, 3], true],
    [[0, 99, 99], [1, 0, 0], false],
  ] as [NginxVersion, NginxVersion, boolean][])('%j at least %j: %s', (version, least, expected) => {
    expect(versionAtLeast(version, least)).toBe(expected);
  });
});

describe('localBalancerConfig (the copy of the balancer config that runs outside compose)', () => {
  const CONFIG = [
    '# upstream servers by name: server a-1:80 in a comment stays',
    'worker_processes 1;',
    'pid /tmp/nginx.pid;',
    'error_log stderr warn;',
    'events { worker_connections 64; }',
    'stream {',
    '  resolver 127.0.0.11 valid=10s ipv6=off;',
    '  upstream web {',
    '    zone web 64k;',
    '    server a-1:80 resolve max_fails=1 fail_timeout=10s;',
    '    server a-2:80 resolve max_fails=1 fail_timeout=10s;',
    '  }',
    '  server {',
    '    listen 8000;',
    '    proxy_pass web;',
    '    proxy_connect_timeout 2s;',
    '  }',
    '}',
  ].join('\n');
  const here: Record<string, number> = { 'a-1': 41001, 'a-2': 41002 };
  const options = (build: NginxBuild) => ({
    build,
    upstream: ({ host, port }: { host: string; port: number }) => {
      const local = here[host];
      if (local === undefined || port !== 80) throw new Error(`no local address for ${host}:${port}`);
      return { host: '127.0.0.1', port: local };
    },
    listen: (port: number) => port + 30000,
    pidFile: '/run/test/nginx.pid',
  });
  const DEBIAN: NginxBuild = { version: [1, 22, 1], streamModule: '/usr/lib/nginx/modules/ngx_stream_module.so' };

  it('rewrites the servers, listen ports and pid file, loads the module, drops "resolve" for an nginx before 1.27.3 and says so; every other line as written', () => {
    const copy = localBalancerConfig(CONFIG, options(DEBIAN));
    const lines = CONFIG.split('\n');
    const changed = new Map<number, string>([
      [2, 'pid /run/test/nginx.pid;'],
      [9, '    server 127.0.0.1:41001 max_fails=1 fail_timeout=10s;'],
      [10, '    server 127.0.0.1:41002 max_fails=1 fail_timeout=10s;'],
      [13, '    listen 38000;'],
    ]);
    expect(copy.text.split('\n')).toEqual([expect.stringMatching(/^# /), 'load_module /usr/lib/nginx/modules/ngx_stream_module.so;', ...lines.map((line, i) => changed.get(i) ?? line)]);
    expect(copy.dropped).toEqual(['"resolve" of the upstream servers: nginx 1.22.1 does not know it (open-source nginx has it since 1.27.3)']);
  });

  it('keeps "resolve" for an nginx that knows it, loads nothing when stream is built in, and adds a pid file when the config names none', () => {
    const copy = localBalancerConfig(CONFIG.replace('pid /tmp/nginx.pid;\n', ''), options({ version: [1, 28, 0] }));
    expect(copy.dropped).toEqual([]);
    expect(copy.text).toContain('    server 127.0.0.1:41001 resolve max_fails=1 fail_timeout=10s;');
    expect(copy.text).not.toContain('load_module');
    expect(copy.text.split('\n').filter((line) => line.startsWith('pid '))).toEqual(['pid /run/test/nginx.pid;']);
  });

  it('does not load the module twice when the config loads it', () => {
    const loading = `load_module modules/ngx_stream_module.so;\n${CONFIG}`;
    expect(localBalancerConfig(loading, options(DEBIAN)).text.match(/load_module/g)).toEqual(['load_module']);
  });

  it('refuses what it cannot rewrite: an upstream it has no address for, a server in another form, a config that is no stream balancer, a pid path it would break', () => {
    expect(() => localBalancerConfig(CONFIG.replace('server a-2:80', 'server a-3:80'), options(DEBIAN))).toThrow('no local address for a-3:80');
    expect(() => localBalancerConfig(CONFIG.replace('server a-2:80', 'server unix:/run/a.sock'), options(DEBIAN))).toThrow(new BalancerConfigError('upstream web: server "unix:/run/a.sock" is not host:port'));
    // A server whose address is on the next line: nginx reads it, the line rewrite misses it; reading the copy back catches that.
    expect(() => localBalancerConfig(CONFIG.replace('    server a-2:80', '    server\n      a-2:80'), options(DEBIAN))).toThrow(/^the copy does not pass where it should/);
    expect(() => localBalancerConfig('events { }', options(DEBIAN))).toThrow(new BalancerConfigError('expected one "stream { … }" block, found 0'));
    expect(() => localBalancerConfig(CONFIG, { ...options(DEBIAN), pidFile: '/tmp/a b/nginx.pid' })).toThrow(BalancerConfigError);
  });
});
