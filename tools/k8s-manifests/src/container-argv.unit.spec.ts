// What a container runs, from its image's Dockerfile and its command/args (Kubernetes' rule:
// command replaces ENTRYPOINT, args replace CMD), and whether its flags reach the program.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { argvProblems, effectiveArgv } from './container-argv';
import { parseDockerfile } from './dockerfile';

const accepted = { withValue: ['--config', '-c'] };
const contract = parseDockerfile(['FROM node:24 AS build', 'RUN npm run build', 'FROM node:24.21.0-bookworm-slim', 'USER 10001:10001', 'HEALTHCHECK --interval=10s \\', '  CMD ["node", "-e", "1"]', 'ENTRYPOINT ["node", "/app/main.cjs"]', 'CMD []'].join('\n'));

describe('parseDockerfile: the final stage\'s ENTRYPOINT and CMD', () => {
  it('reads the exec form of the last stage and ignores a HEALTHCHECK\'s CMD', () => {
    expect(contract).toEqual({ base: 'node:24.21.0-bookworm-slim', entrypoint: ['node', '/app/main.cjs'], cmd: [] });
  });

  it('runs the shell form under /bin/sh -c, joins continuation lines, and skips comments', () => {
    expect(parseDockerfile('FROM --platform=linux/amd64 alpine:3\n# ENTRYPOINT ["no"]\nENTRYPOINT exec app \\\n  --flag\n')).toEqual({ base: 'alpine:3', entrypoint: ['/bin/sh', '-c', 'exec app    --flag'] });
  });

  it('reports no ENTRYPOINT when only an earlier stage declares one', () => {
    expect(parseDockerfile('FROM a AS one\nENTRYPOINT ["x"]\nFROM b\nCMD ["y"]')).toEqual({ base: 'b', cmd: ['y'] });
  });

  it('refuses a Dockerfile without FROM and an exec form that is not an array of strings', () => {
    expect(() => parseDockerfile('RUN true')).toThrow('no FROM instruction');
    expect(() => parseDockerfile('FROM a\nENTRYPOINT ["x", 1]')).toThrow('not a JSON array of strings');
  });
});

describe('effectiveArgv and argvProblems: the container against its image', () => {
  it('args append to the ENTRYPOINT: node /app/main.cjs --config FILE, no problems', () => {
    const container = { name: 'authn', args: ['--config', '/etc/authtrail/authtrail.yaml'] };
    expect(effectiveArgv(contract, container)).toEqual(['node', '/app/main.cjs', '--config', '/etc/authtrail/authtrail.yaml']);
    expect(argvProblems(contract, container, accepted)).toEqual([]);
    expect(argvProblems(contract, { name: 'authn', args: ['--config=/etc/a.yaml'] }, accepted)).toEqual([]);
  });

  it('the image before issue #18 (CMD only) is refused: its ENTRYPOINT is node:20\'s, the args replace CMD', () => {
    const legacy = parseDockerfile(readFileSync(join(__dirname, '../testdata/cmd-only.Dockerfile'), 'utf8'));
    const container = { name: 'authn', args: ['--config', '/etc/authtrail/authtrail.yaml'] };
    expect(effectiveArgv(legacy, container)).toBeUndefined();
    expect(argvProblems(legacy, container, accepted)).toEqual([
      'the image declares no ENTRYPOINT in its final stage: it inherits node:20-bookworm-slim\'s, and args ["--config","/etc/authtrail/authtrail.yaml"] replace its CMD',
    ]);
  });

  it('command replaces the ENTRYPOINT and is refused', () => {
    const container = { name: 'authn', command: ['node', '/app/main.cjs'], args: ['--config', '/c.yaml'] };
    expect(effectiveArgv(contract, container)).toEqual(['node', '/app/main.cjs', '--config', '/c.yaml']);
    expect(argvProblems(contract, container, accepted)).toEqual(['container authn sets command ["node","/app/main.cjs"]: it replaces the image\'s ENTRYPOINT']);
  });

  it('an ENTRYPOINT of bare node would take the flags as node\'s own options', () => {
    const bare = parseDockerfile('FROM node:24\nENTRYPOINT ["node", "--enable-source-maps"]');
    expect(argvProblems(bare, { name: 'x', args: ['--config', '/c.yaml'] }, accepted)).toEqual([
      'the image\'s ENTRYPOINT ["node","--enable-source-maps"] names no script: node would take ["--config","/c.yaml"] as its own options',
    ]);
  });

  it('unknown flags, positional words and a flag without its value are named', () => {
    expect(argvProblems(contract, { name: 'x', args: ['--port', '8080', 'serve', '-c'] }, accepted)).toEqual([
      'flag --port is not one the program accepts (--config, -c)',
      'argument "8080" is not a flag the program accepts',
      'argument "serve" is not a flag the program accepts',
      'flag -c has no value',
    ]);
  });
});
