// The compose check runs the real nginx (Debian's `nginx` and `libnginx-mod-stream`) on the
// repository's infra/docker/authn-balancer.conf, outside compose. It runs a copy in which only
// what needs compose is rewritten: the upstream servers (compose names) → where the instances
// listen here, the listen ports → free ones, the pid file out of the machine's shared /tmp, the
// stream module loaded where the distribution builds it as a dynamic module, and a parameter this
// nginx does not know dropped and reported. Every other directive stays as written.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BalancerConfigError, parseStreamBalancer, type StreamBalancer, type Upstream } from './compose-balancer';

export type NginxVersion = readonly [number, number, number];

export interface NginxBuild {
  readonly version: NginxVersion;
  /** The module file `stream` is loaded from; undefined when it is built into the binary. */
  readonly streamModule?: string;
}

export class NginxBuildError extends Error {
  override readonly name = 'NginxBuildError';
}

/** `server … resolve` of a stream upstream: open-source nginx knows it since 1.27.3 (before, NGINX Plus only). */
export const UPSTREAM_RESOLVE_SINCE: NginxVersion = [1, 27, 3];

export function versionAtLeast(version: NginxVersion, least: NginxVersion): boolean {
  for (let i = 0; i < 3; i += 1) if (version[i] !== least[i]) return (version[i] ?? 0) > (least[i] ?? 0);
  return true;
}

/** Reads the output of `nginx -V`: its version, and how its stream module is built. */
export function parseNginxBuild(text: string): NginxBuild {
  const version = /nginx version: nginx\/(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!version) throw new NginxBuildError('nginx -V: its output has no "nginx version: nginx/X.Y.Z"');
  // Split on blanks: quoted options (--with-cc-opt='…') fall apart, but only whole options are looked up.
  const args = (/^configure arguments:(.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/);
  const option = (name: string) => args.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
  const parsed: NginxVersion = [Number(version[1]), Number(version[2]), Number(version[3])];
  if (args.includes('--with-stream')) return { version: parsed };
  if (!args.includes('--with-stream=dynamic')) throw new NginxBuildError('this nginx has no stream module: its configure arguments have neither --with-stream nor --with-stream=dynamic');
  const modules = option('--modules-path') ?? path.join(option('--prefix') ?? '/usr/local/nginx', 'modules');
  return { version: parsed, streamModule: path.join(modules, 'ngx_stream_module.so') };
}

/** The nginx on PATH, as `nginx -V` describes it; its stream module must be installed. */
export function installedNginx(binary = 'nginx'): NginxBuild {
  const run = spawnSync(binary, ['-V'], { encoding: 'utf8' });
  if (run.error) throw new NginxBuildError(`${binary} -V: ${run.error.message} (Debian: apt-get install nginx libnginx-mod-stream)`);
  const build = parseNginxBuild(`${run.stdout}${run.stderr}`);
  if (build.streamModule && !existsSync(build.streamModule)) throw new NginxBuildError(`${build.streamModule} is missing: this nginx builds stream as a module (Debian: apt-get install libnginx-mod-stream)`);
  return build;
}

export interface LocalBalancerOptions {
  readonly build: NginxBuild;
  /** Where a server of an upstream (a compose name and container port) listens here. */
  readonly upstream: (server: Upstream) => Upstream;
  /** The port here for a listen port of the file. */
  readonly listen: (port: number) => number;
  readonly pidFile: string;
}

export interface LocalBalancerConfig {
  readonly text: string;
  /** What the copy left out because this nginx does not know it, and why. */
  readonly dropped: readonly string[];
}

/** The copy of a balancer config that runs here; throws a BalancerConfigError if a server or listen port escaped the rewrite. */
export function localBalancerConfig(text: string, options: LocalBalancerOptions): LocalBalancerConfig {
  const original = parseStreamBalancer(text);
  if (/[\s;{}"'#]/.test(options.pidFile)) throw new BalancerConfigError(`pid file "${options.pidFile}": blanks, quotes and ;{}# are not written into the copy`);
  const dropResolve = !versionAtLeast(options.build.version, UPSTREAM_RESOLVE_SINCE);
  const dropped = new Set<string>();
  let pid = false;
  const lines = text.split('\n').map((line) => {
    // Comments stay as written; only directives are rewritten.
    const hash = line.indexOf('#');
    const code = hash === -1 ? line : line.slice(0, hash);
    const rewritten = code
      .replace(/(^|[\s{;])server\s+([A-Za-z0-9.-]+):(\d+)([^;{}]*)/g, (_, before: string, host: string, port: string, parameters: string) => {
        const to = options.upstream({ host, port: Number(port) });
        let kept = parameters;
        if (dropResolve && /(^|\s)resolve(?=\s|$)/.test(kept)) {
          kept = kept.replace(/\s+resolve(?=\s|$)/, '');
          dropped.add(`"resolve" of the upstream servers: nginx ${options.build.version.join('.')} does not know it (open-source nginx has it since ${UPSTREAM_RESOLVE_SINCE.join('.')})`);
        }
        return `${before}server ${to.host}:${to.port}${kept}`;
      })
      .replace(/(^|[\s{;])listen\s+(\d+)(?=[\s;])/g, (_, before: string, port: string) => `${before}listen ${options.listen(Number(port))}`)
      .replace(/(^|[\s{;])pid\s+[^;]*;/g, (_, before: string) => {
        pid = true;
        return `${before}pid ${options.pidFile};`;
      });
    return hash === -1 ? rewritten : `${rewritten}${line.slice(hash)}`;
  });
  const loadsStream = /^\s*load_module\s+\S*ngx_stream_module\.so\s*;/m.test(text);
  const header = [
    '# A local copy for the compose check (tools/cli/src/system/compose-nginx.ts).',
    ...(options.build.streamModule && !loadsStream ? [`load_module ${options.build.streamModule};`] : []),
    ...(pid ? [] : [`pid ${options.pidFile};`]),
  ];
  const copy = [...header, ...lines].join('\n');
  const expected: StreamBalancer = {
    upstreams: Object.fromEntries(Object.entries(original.upstreams).map(([name, servers]) => [name, servers.map(options.upstream)])),
    listeners: original.listeners.map((l) => ({ port: options.listen(l.port), upstream: l.upstream })),
  };
  const got = parseStreamBalancer(copy);
  if (JSON.stringify(got) !== JSON.stringify(expected)) throw new BalancerConfigError(`the copy does not pass where it should (a server or listen written in a form the rewrite does not know): expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  return { text: copy, dropped: [...dropped] };
}
