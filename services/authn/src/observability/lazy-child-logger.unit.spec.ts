import Fastify from 'fastify';
import { logCapture } from '../app.fixture';
import { lazyChildLoggerFactory } from './lazy-child-logger';
import { createLogger } from './logger';

describe('lazyChildLoggerFactory', () => {
  it('creates no per-request child logger unless the request logs, and then the line carries the request id', async () => {
    const capture = logCapture();
    const base = createLogger('warn', capture.stream);
    const child = base.child.bind(base);
    let created = 0;
    base.child = ((...args: Parameters<typeof child>) => {
      created++;
      return child(...args);
    }) as typeof base.child;
    const app = Fastify({ loggerInstance: base, childLoggerFactory: lazyChildLoggerFactory });
    app.get('/quiet', async (request) => {
      request.log.info('below the level');
      return { ok: true, level: request.log.level };
    });
    app.get('/loud', async (request) => {
      request.log.warn({ authorization: 'Bearer secret-in-log' }, 'a warning');
      return { ok: true };
    });
    await app.ready();
    created = 0;
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/quiet' })).json()).toEqual({ ok: true, level: 'warn' });
    expect(created).toBe(0);
    await app.inject({ url: '/loud' });
    expect(created).toBe(1);
    const line = capture.text().split('\n').find((l) => l.includes('a warning')) ?? '';
    expect(JSON.parse(line)).toMatchObject({ reqId: expect.any(String), authorization: '[redacted]' });
    await app.close();
  });
});
