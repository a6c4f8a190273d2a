import { DURATION_PATTERN } from '@authtrail/config';

const duration = { type: 'string', pattern: DURATION_PATTERN };

const strategyRules = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: ['enforce', 'warn', 'disabled'] },
    requireTls: { type: 'boolean' },
    requireExpiration: { type: 'boolean' },
    maxValidity: duration,
    maxTokenLifetime: duration,
    allowedSourceCidrs: { type: 'array', items: { type: 'string' } },
    denyGroups: { type: 'array', items: { type: 'string' } },
    denyUsernames: { type: 'array', items: { type: 'string' } },
    rejectPlaintextPasswords: { type: 'boolean' },
  },
};

const throttleRule = {
  type: 'object',
  additionalProperties: false,
  required: ['failures', 'window', 'block'],
  properties: { failures: { type: 'integer', minimum: 1 }, window: duration, block: duration },
};

/** JSON Schema of the policy document (DESIGN §7); unknown keys are errors. */
export const policyDocumentSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://authtrail.dev/schemas/policy.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    strategies: {
      type: 'object',
      propertyNames: { enum: ['static-token', 'bootstrap-token', 'basic-auth', 'x509', 'service-account', 'oidc', 'anonymous'] },
      additionalProperties: strategyRules,
    },
    throttle: {
      type: 'object',
      additionalProperties: false,
      properties: { perSourceIp: throttleRule, perCredential: throttleRule },
    },
    userValidationRules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['expression', 'message'],
        properties: { expression: { type: 'string', minLength: 1 }, message: { type: 'string', minLength: 1 } },
      },
    },
  },
} as const;
