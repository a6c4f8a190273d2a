// JSON Schemas shared by the routes. Response schemas are also an allow-list: fastify's
// serializer writes only the declared fields, so nothing extra (a credential) can leak out.

export const errorBody = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    reason: { type: 'string' },
    message: { type: 'string' },
    decisionId: { type: 'string' },
  },
  required: ['error', 'reason', 'message'],
} as const;

export const userInfo = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    uid: { type: 'string' },
    groups: { type: 'array', items: { type: 'string' } },
    extra: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
  },
  required: ['username'],
} as const;

/** Responses every auth endpoint may give besides its own success/failure shapes. */
export const errorResponses = { 400: errorBody, 403: errorBody, 413: errorBody, 415: errorBody, 429: errorBody, 503: errorBody, '5xx': errorBody } as const;

export const headerMap = {
  type: 'object',
  maxProperties: 100,
  additionalProperties: {
    anyOf: [
      { type: 'string', maxLength: 16384 },
      { type: 'array', maxItems: 16, items: { type: 'string', maxLength: 16384 } },
    ],
  },
} as const;
