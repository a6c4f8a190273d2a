import { readdirSync } from 'node:fs';
import path from 'node:path';
import { execForm, parseDockerfile, readImage, workspaceRoot } from './compose-images';

// The shared image contract (the Kubernetes manifests and compose are checked against it):
// one image per service built from the repository root, `npm ci` + `npm run build`, a runtime
// stage on one exactly pinned base with only that bundle's packages, WORKDIR /app, a numeric
// non-root USER, ENTRYPOINT node /app/<bundle> with an empty CMD (arguments append to it).
const IMAGES = [
  { dockerfile: 'infra/docker/authn.Dockerfile', dist: 'authn', bundle: 'main.cjs', ports: ['8080', '8443'], health: 8080 },
  { dockerfile: 'infra/docker/projector.Dockerfile', dist: 'projector', bundle: 'main.cjs', ports: ['9465'], health: 9465 },
  { dockerfile: 'infra/docker/graphql-api.Dockerfile', dist: 'graphql-api', bundle: 'main.cjs', ports: ['4000'], health: 4000 },
  { dockerfile: 'infra/docker/siem-exporter.Dockerfile', dist: 'siem-exporter', bundle: 'main.cjs', ports: ['9466'], health: 9466 },
  { dockerfile: 'infra/docker/cli.Dockerfile', dist: 'cli', bundle: 'authtrail.cjs', ports: [], health: undefined },
] as const;
const SERVICE_IMAGES = IMAGES.filter((i) => i.dist !== 'cli');

describe('parseDockerfile', () => {
  it('joins continuations, drops comments, and splits stages with their names', () => {
    const stages = parseDockerfile('# a comment\nFROM node:1 AS build\nRUN a \\\n  && b\n\nfrom debian:12\n# inside\nuser 1:1\n');
    expect(stages).toEqual([
      { from: 'node:1', name: 'build', instructions: [{ keyword: 'RUN', args: 'a && b' }] },
      { from: 'debian:12', instructions: [{ keyword: 'USER', args: '1:1' }] },
    ]);
  });

  it('an instruction before FROM is an error, not a silent stage', () => {
    expect(() => parseDockerfile('RUN true\n')).toThrow('RUN before FROM');
  });

  it('exec form is a JSON array of strings; the shell form is not exec form', () => {
    expect(execForm('["node", "/app/main.cjs"]')).toEqual(['node', '/app/main.cjs']);
    expect(execForm('node /app/main.cjs')).toBeUndefined();
    expect(execForm('[1, 2]')).toBeUndefined();
  });
});

describe('infra/docker: one image per service, on the shared contract', () => {
  it('every Dockerfile in infra/docker is one of the images (no stray, untested one)', () => {
    const files = readdirSync(path.join(workspaceRoot, 'infra/docker')).filter((f) => f.endsWith('.Dockerfile')).map((f) => `infra/docker/${f}`);
    expect(files.sort()).toEqual(IMAGES.map((i) => i.dockerfile).sort());
  });

  it('every stage of every image starts from the same base, pinned to an exact version', () => {
    const bases = new Set(IMAGES.flatMap(({ dockerfile }) => readImage(dockerfile).stages.map((s) => s.from)));
    expect(bases.size).toBe(1);
    expect([...bases][0]).toMatch(/^node:\d+\.\d+\.\d+-[a-z]+-slim$/);
  });

  it.each(IMAGES)('$dockerfile: built with npm ci and npm run build', ({ dockerfile }) => {
    const build = readImage(dockerfile).stages[0];
    const runs = build?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' && ') ?? '';
    expect(runs).toMatch(/\bnpm ci\b/);
    expect(runs).toMatch(/\bnpm run build\b/);
  });

  it.each(IMAGES)('$dockerfile: its runtime packages come from its own generated package.json and lock only', ({ dockerfile, dist }) => {
    const image = readImage(dockerfile);
    const deps = image.stages.find((s) => s.name === 'runtime-deps');
    const copies = deps?.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toEqual([`--from=build /src/dist/${dist}/package.json /src/dist/${dist}/package-lock.json ./`]);
    expect(deps?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args)).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)]);
  });

  it.each(IMAGES)('$dockerfile: the runtime stage holds the bundle and its packages, nothing of the source tree', ({ dockerfile, dist }) => {
    const image = readImage(dockerfile);
    const copies = image.runtime.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    expect(copies.map((c) => c.keyword)).toEqual(copies.map(() => 'COPY'));
    for (const { args } of copies) {
      const words = args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const sources = words.filter((w) => !w.startsWith('--')).slice(0, -1);
      if (from === 'runtime-deps') expect(sources).toEqual(['/app/node_modules']);
      else {
        expect({ args, from }).toEqual({ args, from: 'build' });
        for (const source of sources) expect(source.startsWith(`/src/dist/${dist}/`)).toBe(true);
      }
    }
    // No TypeScript runner anywhere in what the image runs.
    expect(image.runtime.instructions.map((i) => i.args).join('\n')).not.toMatch(/\btsx\b/);
  });

  it.each(IMAGES)('$dockerfile: WORKDIR /app, a numeric non-root USER, ENTRYPOINT node /app/<bundle>', ({ dockerfile, bundle, dist }) => {
    const image = readImage(dockerfile);
    expect(image.workdir).toBe('/app');
    const [uid, gid] = (image.user ?? '').split(':');
    expect({ uid: /^\d+$/.test(uid ?? '') && Number(uid) > 0, gid: /^\d+$/.test(gid ?? '') && Number(gid) > 0 }).toEqual({ uid: true, gid: true });
    expect(image.entrypoint).toEqual(['node', `/app/${bundle}`]);
    if (dist !== 'cli') expect(image.cmd).toEqual([]);
    expect(image.env['NODE_ENV']).toBe('production');
    // dataDir exists and belongs to that user (a fresh named volume inherits it); the rest is read-only.
    const runs = image.runtime.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' && ');
    expect(runs).toMatch(new RegExp(`chown ${uid}:${gid} [^&]*/var/lib/authtrail`));
  });

  it('every image runs as the same user (files in the shared demo volume are readable by all)', () => {
    expect(new Set(IMAGES.map(({ dockerfile }) => readImage(dockerfile).user)).size).toBe(1);
  });

  it.each(SERVICE_IMAGES)('$dockerfile: exposes its ports; its HEALTHCHECK asks /healthz on one of them', ({ dockerfile, ports, health }) => {
    const image = readImage(dockerfile);
    const exposed = image.runtime.instructions.filter((i) => i.keyword === 'EXPOSE').flatMap((i) => i.args.split(/\s+/));
    expect(exposed).toEqual(ports);
    const check = image.runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
    expect(check).toContain(`:${health}/healthz`);
  });
});
