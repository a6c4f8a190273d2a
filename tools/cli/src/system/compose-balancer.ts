// The `authn` service of docker-compose.yml is nginx balancing TCP over the authn instances
// (infra/docker/authn-balancer.conf). The compose check reads that file's `stream` block (the
// upstreams and the ports that pass to them) to check it against the compose file, and to know
// what to rewrite when the real nginx runs it outside compose (compose-nginx.ts).
export interface Upstream {
  readonly host: string;
  readonly port: number;
}

export interface StreamBalancer {
  /** Upstream name → its servers, in the order written. */
  readonly upstreams: Readonly<Record<string, readonly Upstream[]>>;
  /** Each `server { listen …; proxy_pass …; }` of the stream block. */
  readonly listeners: readonly { readonly port: number; readonly upstream: string }[];
}

export class BalancerConfigError extends Error {
  override readonly name = 'BalancerConfigError';
}

interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  readonly block?: readonly Directive[];
}

/** nginx's syntax, as far as this file needs it: directives ending in `;` or a `{ … }` block; `#` comments. */
function parseDirectives(text: string): Directive[] {
  const tokens = text.replace(/#[^\n]*/g, ' ').match(/[{};]|[^\s{};]+/g) ?? [];
  let at = 0;
  const block = (nested: boolean): Directive[] => {
    const out: Directive[] = [];
    let words: string[] = [];
    while (at < tokens.length) {
      const token = tokens[at++];
      if (token === ';') {
        if (words.length === 0) throw new BalancerConfigError('an empty directive (a lone ";")');
        out.push({ name: words[0], args: words.slice(1) });
        words = [];
      } else if (token === '{') {
        if (words.length === 0) throw new BalancerConfigError('a block without a directive name');
        out.push({ name: words[0], args: words.slice(1), block: block(true) });
        words = [];
      } else if (token === '}') {
        if (!nested) throw new BalancerConfigError('a "}" without its "{"');
        if (words.length > 0) throw new BalancerConfigError(`directive "${words[0]}" is not ended by ";"`);
        return out;
      } else words.push(token);
    }
    if (nested) throw new BalancerConfigError('a block is not closed (missing "}")');
    if (words.length > 0) throw new BalancerConfigError(`directive "${words[0]}" is not ended by ";"`);
    return out;
  };
  return block(false);
}

function portOf(text: string, what: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new BalancerConfigError(`${what}: "${text}" is not a port (1-65535)`);
  return port;
}

/** Reads the `stream` block of an nginx config: upstreams and the listeners that pass to them. */
export function parseStreamBalancer(text: string): StreamBalancer {
  const streams = parseDirectives(text).filter((d) => d.name === 'stream');
  if (streams.length !== 1 || !streams[0].block) throw new BalancerConfigError(`expected one "stream { … }" block, found ${streams.length}`);
  const upstreams: Record<string, Upstream[]> = {};
  const listeners: { port: number; upstream: string }[] = [];
  for (const directive of streams[0].block) {
    if (directive.name === 'upstream') {
      const name = directive.args[0];
      if (!name || !directive.block) throw new BalancerConfigError('an upstream without a name or a block');
      upstreams[name] = directive.block
        .filter((d) => d.name === 'server')
        .map((d) => {
          const match = /^([A-Za-z0-9.-]+):(\d+)$/.exec(d.args[0] ?? '');
          if (!match) throw new BalancerConfigError(`upstream ${name}: server "${d.args[0] ?? ''}" is not host:port`);
          return { host: match[1], port: portOf(match[2], `upstream ${name}`) };
        });
      if (upstreams[name].length === 0) throw new BalancerConfigError(`upstream ${name} has no server`);
    } else if (directive.name === 'server' && directive.block) {
      const listen = directive.block.find((d) => d.name === 'listen')?.args[0];
      const pass = directive.block.find((d) => d.name === 'proxy_pass')?.args[0];
      if (!listen || !pass) throw new BalancerConfigError('a stream server needs "listen" and "proxy_pass"');
      listeners.push({ port: portOf(listen, 'listen'), upstream: pass });
    }
  }
  for (const { upstream } of listeners) if (!(upstream in upstreams)) throw new BalancerConfigError(`proxy_pass names "${upstream}", which is no upstream of the stream block`);
  return { upstreams, listeners };
}
