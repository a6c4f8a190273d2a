// pino with secrets redacted at EVERY level (STYLE 10: "credentials only at debug" is an
// anti-pattern). Redaction is by path, so it also covers objects logged by mistake; the request
// serializer drops headers and query strings altogether.
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

const SECRET_KEYS = ['authorization', 'cookie', 'proxy-authorization', 'x-forwarded-client-cert', 'ssl-client-cert', 'x-forwarded-tls-client-cert', 'password', 'token', 'secret', 'clientCertificate', 'set-cookie'];

/** Redaction paths for the keys above at the top level and up to three levels deep. */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const dot = k.startsWith('[') ? '' : '.';
  return [k, `*${dot}${k}`, `*.*${dot}${k}`, `*.*.*${dot}${k}`];
});

/** `service` names the emitting service on every line (`npm start` runs four services in one process). */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream, service = 'authn'): Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      serializers: {
        // Only what identifies the request; never headers, never the query string (tokens travel there).
        req: (req: { method?: string; url?: string; id?: string; socket?: { remoteAddress?: string } }) => ({
          id: req.id,
          method: req.method,
          path: typeof req.url === 'string' ? req.url.split('?')[0] : undefined,
          remoteAddress: req.socket?.remoteAddress,
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        // Client errors (bad JSON and the like) can quote the request body: no message for them.
        err: (err: Error & { code?: string; statusCode?: number }) => ({
          type: err.name,
          code: err.code,
          statusCode: err.statusCode,
          ...(err.statusCode !== undefined && err.statusCode < 500) || err instanceof SyntaxError ? {} : { message: err.message },
        }),
      },
    },
    destination,
  );
}
