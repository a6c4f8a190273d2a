// Text of an AuthenticationConfiguration file → the typed object, the way kube-apiserver decodes
// it (runtime.Decode with the strict YAML/JSON serializer): YAML 1.1 as sigs.k8s.io/yaml reads it
// (JSON is YAML), apiVersion/kind checked against the registered versions, every field
// case-sensitive, unknown and duplicate fields refused, wrong types refused with Go's
// encoding/json message. Errors are worded as kube-apiserver words them, without the file's
// content. Pure; never throws (property-tested).
import { parseAllDocuments } from 'yaml';
import {
  AUTHENTICATION_CONFIGURATION_GROUP,
  AUTHENTICATION_CONFIGURATION_KIND,
  AUTHENTICATION_CONFIGURATION_VERSIONS,
  type AuthenticationConfiguration,
} from './authentication-configuration.types';

export type DecodeResult = { readonly ok: true; readonly config: AuthenticationConfiguration } | { readonly ok: false; readonly error: string };

type Spec =
  | { readonly kind: 'string' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'pointer'; readonly to: Spec }
  | { readonly kind: 'list'; readonly items: Spec }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: Readonly<Record<string, Spec>> };

const STRING: Spec = { kind: 'string' };
const BOOL: Spec = { kind: 'bool' };
const struct = (name: string, fields: Record<string, Spec>): Spec => ({ kind: 'struct', name, fields });
const list = (items: Spec): Spec => ({ kind: 'list', items });
const pointer = (to: Spec): Spec => ({ kind: 'pointer', to });

const PREFIXED_CLAIM_OR_EXPRESSION = struct('PrefixedClaimOrExpression', { claim: STRING, prefix: pointer(STRING), expression: STRING });

/** The v1 types, field by field (json names; Go struct names for error messages). */
const AUTHENTICATION_CONFIGURATION: Spec = struct('AuthenticationConfiguration', {
  apiVersion: STRING,
  kind: STRING,
  jwt: list(
    struct('JWTAuthenticator', {
      issuer: struct('Issuer', {
        url: STRING,
        discoveryURL: pointer(STRING),
        certificateAuthority: STRING,
        audiences: list(STRING),
        audienceMatchPolicy: STRING,
        egressSelectorType: STRING,
      }),
      claimValidationRules: list(struct('ClaimValidationRule', { claim: STRING, requiredValue: STRING, expression: STRING, message: STRING })),
      claimMappings: struct('ClaimMappings', {
        username: PREFIXED_CLAIM_OR_EXPRESSION,
        groups: PREFIXED_CLAIM_OR_EXPRESSION,
        uid: struct('ClaimOrExpression', { claim: STRING, expression: STRING }),
        extra: list(struct('ExtraMapping', { key: STRING, valueExpression: STRING })),
      }),
      userValidationRules: list(struct('UserValidationRule', { expression: STRING, message: STRING })),
    }),
  ),
  anonymous: pointer(struct('AnonymousAuthConfig', { enabled: BOOL, conditions: list(struct('AnonymousAuthCondition', { path: STRING })) })),
});

/** Other kinds of the same API group: kube decodes them, then says it expected this one. */
const OTHER_KINDS = ['AdmissionConfiguration', 'AuthorizationConfiguration', 'EncryptionConfiguration', 'EgressSelectorConfiguration', 'TracingConfiguration'];

/** The most aliases a file may expand (a YAML alias bomb is refused, not expanded). */
const MAX_ALIAS_COUNT = 100;

export function decodeAuthenticationConfiguration(text: string): DecodeResult {
  if (text.length === 0) return { ok: false, error: 'empty config data' };
  const read = readYaml(text);
  if (!read.ok) return read;
  const value = read.value;
  if (value === null || value === undefined) return { ok: false, error: "Object 'Kind' is missing" };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(value)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }` };
  }
  const object = value as Record<string, unknown>;
  const apiVersion = object['apiVersion'];
  const kind = object['kind'];
  if (typeof kind !== 'string' || kind === '') return { ok: false, error: "Object 'Kind' is missing" };
  if (typeof apiVersion !== 'string' || apiVersion === '') return { ok: false, error: "Object 'apiVersion' is missing" };
  const [group, version] = apiVersion.includes('/') ? [apiVersion.slice(0, apiVersion.indexOf('/')), apiVersion.slice(apiVersion.indexOf('/') + 1)] : ['', apiVersion];
  const knownVersion = group === AUTHENTICATION_CONFIGURATION_GROUP && (AUTHENTICATION_CONFIGURATION_VERSIONS as readonly string[]).includes(version);
  if (knownVersion && OTHER_KINDS.includes(kind)) return { ok: false, error: `expected AuthenticationConfiguration, got *apiserver.${kind}` };
  if (!knownVersion || kind !== AUTHENTICATION_CONFIGURATION_KIND) return { ok: false, error: `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}` };

  const state: DecodeState = { pkg: version, unknown: [] };
  const config = decode(object, AUTHENTICATION_CONFIGURATION, { display: '', json: [], struct: undefined }, state) as AuthenticationConfiguration;
  if (state.typeError) return { ok: false, error: state.typeError };
  if (state.unknown.length > 0) return { ok: false, error: `strict decoding error: ${state.unknown.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}` };
  return { ok: true, config };
}

function readYaml(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string } {
  let documents;
  try {
    // YAML 1.1 (yes/no/on/off are booleans), as sigs.k8s.io/yaml reads a file; duplicate keys refused.
    documents = parseAllDocuments(text, { version: '1.1', uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    return { ok: false, error: `error converting YAML to JSON: yaml: ${firstLine(error)}` };
  }
  // Like go-yaml, only the first document counts.
  const first = Array.isArray(documents) ? documents[0] : undefined;
  if (!first) return { ok: true, value: null };
  const problem = first.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    const message = (problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    return { ok: false, error: `error converting YAML to JSON: yaml: ${line ? `line ${line}: ` : ''}${message}` };
  }
  try {
    return { ok: true, value: first.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    return { ok: false, error: `error converting YAML to JSON: yaml: ${firstLine(error)}` };
  }
}

interface DecodeState {
  /** Go package of the version (`v1`, `v1beta1`): Go names types `v1.Issuer`. */
  readonly pkg: string;
  /** encoding/json reports the first type mismatch and keeps decoding. */
  typeError?: string;
  readonly unknown: string[];
}

interface Where {
  /** `jwt[0].issuer.url`, for strict-decoding errors. */
  readonly display: string;
  /** `jwt.issuer.url` (no indices), for Go's type errors. */
  readonly json: readonly string[];
  /** The Go struct that holds the field being decoded. */
  readonly struct: string | undefined;
}

function decode(value: unknown, spec: Spec, where: Where, state: DecodeState): unknown {
  if (spec.kind === 'pointer') return value === null || value === undefined ? undefined : decode(value, spec.to, where, state);
  if (value === null || value === undefined) return zeroOf(spec);
  switch (spec.kind) {
    case 'string':
      if (typeof value === 'string') return value;
      return mismatch(value, spec, where, state);
    case 'bool':
      if (typeof value === 'boolean') return value;
      return mismatch(value, spec, where, state);
    case 'list':
      if (!Array.isArray(value)) return mismatch(value, spec, where, state);
      return value.map((item: unknown, index) => decode(item, spec.items, { ...where, display: `${where.display}[${index}]` }, state));
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) return mismatch(value, spec, where, state);
      const decoded: Record<string, unknown> = {};
      // In document order, as the decoder meets them. Field names match case-sensitively, as
      // kube's decoder (sigs.k8s.io/json) does.
      for (const [key, fieldValue] of Object.entries(value)) {
        const fieldSpec = Object.prototype.hasOwnProperty.call(spec.fields, key) ? spec.fields[key] : undefined;
        const display = where.display ? `${where.display}.${key}` : key;
        if (fieldSpec === undefined) state.unknown.push(display);
        else decoded[key] = decode(fieldValue, fieldSpec, { display, json: [...where.json, key], struct: spec.name }, state);
      }
      // Every field, in declaration order; absent ones get their zero value.
      const out: Record<string, unknown> = {};
      for (const [name, fieldSpec] of Object.entries(spec.fields)) {
        const field = Object.prototype.hasOwnProperty.call(decoded, name) ? decoded[name] : zeroOf(fieldSpec);
        if (field !== undefined) out[name] = field;
      }
      return out;
    }
    default: {
      const _exhaustive: never = spec;
      return _exhaustive;
    }
  }
}

function zeroOf(spec: Spec): unknown {
  switch (spec.kind) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'list':
      return [];
    case 'pointer':
      return undefined;
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(spec.fields)) {
        const zero = zeroOf(field);
        if (zero !== undefined) out[name] = zero;
      }
      return out;
    }
    default: {
      const _exhaustive: never = spec;
      return _exhaustive;
    }
  }
}

/** Go's `json: cannot unmarshal number into Go struct field Issuer.jwt.issuer.url of type string`. */
function mismatch(value: unknown, spec: Spec, where: Where, state: DecodeState): unknown {
  const target = where.struct ? `Go struct field ${where.struct}.${where.json.join('.')}` : 'Go value';
  state.typeError ??= `json: cannot unmarshal ${jsonKind(value)} into ${target} of type ${goType(spec, state.pkg)}`;
  return zeroOf(spec);
}

function goType(spec: Spec, pkg: string): string {
  switch (spec.kind) {
    case 'string':
    case 'bool':
      return spec.kind;
    case 'pointer':
      return goType(spec.to, pkg);
    case 'list':
      return `[]${goType(spec.items, pkg)}`;
    case 'struct':
      return `${pkg}.${spec.name}`;
    default: {
      const _exhaustive: never = spec;
      return _exhaustive;
    }
  }
}

function jsonKind(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

function firstLine(error: unknown): string {
  return ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').slice(0, 200);
}
