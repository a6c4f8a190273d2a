// Kubernetes' protobuf wire format for API objects (`Content-Type: application/vnd.kubernetes.protobuf`,
// k8s.io/apimachinery/pkg/runtime/serializer/protobuf): the four magic bytes `k8s\x00`, then one
// `runtime.Unknown` message (k8s.io/apimachinery/pkg/runtime/generated.proto, proto2):
//
//   message Unknown  { optional TypeMeta typeMeta = 1; optional bytes raw = 2;
//                      optional string contentEncoding = 3; optional string contentType = 4; }
//   message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
//
// `raw` is the object itself (here a SelfSubjectReview, which has no spec to read). authtrail reads
// the type meta and checks that the whole body is well-formed protobuf — every field of the
// envelope and every top-level field of `raw` — so garbage gets a clear 400 instead of being taken
// for an empty review. Pure and total: it never throws, whatever the bytes; problems name a byte
// offset, never the bytes (a body is no place to echo back).

export const KUBE_PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** `k8s\x00` (protoEncodingPrefix in apimachinery). */
export const KUBE_PROTOBUF_MAGIC: readonly number[] = [0x6b, 0x38, 0x73, 0x00];

export interface KubeTypeMeta {
  readonly apiVersion?: string;
  readonly kind?: string;
}

export type KubeEnvelope =
  | { readonly ok: true; readonly typeMeta: KubeTypeMeta; readonly rawLength: number; readonly contentEncoding?: string; readonly contentType?: string }
  | { readonly ok: false; readonly problem: string };

/** Reads a Kubernetes protobuf body. Never throws. */
export function parseKubeProtobufEnvelope(body: Uint8Array): KubeEnvelope {
  if (body.length === 0) return { ok: false, problem: 'empty body' };
  const magic = KUBE_PROTOBUF_MAGIC;
  if (body.length < magic.length || magic.some((byte, i) => body[i] !== byte)) {
    return { ok: false, problem: 'not a Kubernetes protobuf message: the body must start with the 4 bytes k8s\\x00' };
  }
  if (body.length === magic.length) return { ok: false, problem: 'empty body after the k8s\\x00 prefix' };

  let typeMeta: { apiVersion?: string; kind?: string } = {};
  let rawLength = 0;
  let contentEncoding: string | undefined;
  let contentType: string | undefined;
  const problem = walkMessage(body, magic.length, body.length, 'runtime.Unknown', (field, start, end) => {
    switch (field) {
      case 1: {
        // Repeated embedded messages merge (proto semantics): later fields override earlier ones.
        const inner = readTypeMeta(body, start, end);
        if (typeof inner === 'string') return inner;
        typeMeta = { ...typeMeta, ...inner };
        return undefined;
      }
      case 2: {
        const rawProblem = walkMessage(body, start, end, 'the object in raw', () => undefined);
        rawLength = end - start;
        return rawProblem;
      }
      case 3:
      case 4: {
        const text = utf8(body, start, end);
        if (text === undefined) return `field ${field} of runtime.Unknown at byte ${start} is not UTF-8`;
        if (field === 3) contentEncoding = text;
        else contentType = text;
        return undefined;
      }
      default:
        return undefined;
    }
  });
  if (problem !== undefined) return { ok: false, problem };
  return { ok: true, typeMeta, rawLength, ...(contentEncoding ? { contentEncoding } : {}), ...(contentType ? { contentType } : {}) };
}

function readTypeMeta(body: Uint8Array, from: number, to: number): KubeTypeMeta | string {
  const meta: { apiVersion?: string; kind?: string } = {};
  const problem = walkMessage(body, from, to, 'TypeMeta', (field, start, end) => {
    if (field !== 1 && field !== 2) return undefined;
    const text = utf8(body, start, end);
    if (text === undefined) return `${field === 1 ? 'apiVersion' : 'kind'} at byte ${start} is not UTF-8`;
    if (field === 1) meta.apiVersion = text;
    else meta.kind = text;
    return undefined;
  });
  return problem ?? meta;
}

/** Length-delimited fields these messages know; any other field number is skipped (proto2 keeps unknown fields). */
const KNOWN_LENGTH_DELIMITED: Readonly<Record<string, ReadonlySet<number>>> = {
  'runtime.Unknown': new Set([1, 2, 3, 4]),
  TypeMeta: new Set([1, 2]),
};

/**
 * Walks the fields of one message in `body[from, to)`: each must be a valid key and a value of
 * its wire type that ends inside the message. `onLengthDelimited` sees each length-delimited
 * field's bounds and may return a problem. Returns the first problem, or undefined.
 */
function walkMessage(body: Uint8Array, from: number, to: number, name: string, onLengthDelimited: (field: number, start: number, end: number) => string | undefined): string | undefined {
  const known = KNOWN_LENGTH_DELIMITED[name];
  let pos = from;
  while (pos < to) {
    const keyAt = pos;
    const key = readVarint(body, pos, to);
    if (key === undefined) return `${name}: truncated or overlong field key at byte ${keyAt}`;
    pos = key.next;
    const field = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (field < 1 || field > 0x1fffffff) return `${name}: invalid field number at byte ${keyAt}`;
    if (known?.has(field) && wireType !== 2) return `${name}: field ${field} at byte ${keyAt} has wire type ${wireType}, expected 2 (length-delimited)`;
    switch (wireType) {
      case 0: {
        const value = readVarint(body, pos, to);
        if (value === undefined) return `${name}: truncated or overlong varint at byte ${pos}`;
        pos = value.next;
        break;
      }
      case 1:
      case 5: {
        const size = wireType === 1 ? 8 : 4;
        if (to - pos < size) return `${name}: truncated ${size * 8}-bit field at byte ${pos}`;
        pos += size;
        break;
      }
      case 2: {
        const length = readVarint(body, pos, to);
        if (length === undefined) return `${name}: truncated or overlong length at byte ${pos}`;
        const start = length.next;
        if (length.value > to - start) return `${name}: field ${field} at byte ${keyAt} is longer than its message`;
        const end = start + length.value;
        const problem = onLengthDelimited(field, start, end);
        if (problem !== undefined) return problem;
        pos = end;
        break;
      }
      case 3:
      case 4:
        return `${name}: groups (wire types 3 and 4, at byte ${keyAt}) are not used by Kubernetes objects`;
      default:
        return `${name}: invalid wire type ${wireType} at byte ${keyAt}`;
    }
  }
  return undefined;
}

/** A base-128 varint of at most 10 bytes that fits 64 bits; `value` is exact up to 2^53 (lengths and keys are far below). */
function readVarint(body: Uint8Array, from: number, to: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const at = from + i;
    if (at >= to) return undefined;
    const byte = body[at] as number;
    if (i === 9 && byte > 1) return undefined;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return { value, next: at + 1 };
  }
  return undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function utf8(body: Uint8Array, start: number, end: number): string | undefined {
  try {
    return strictUtf8.decode(body.subarray(start, end));
  } catch {
    return undefined;
  }
}

/** The body parser's refusal: app.ts answers it 400 with `problem` (which never quotes the body). */
export class KubeProtobufError extends Error {
  static readonly code = 'AUTHTRAIL_KUBE_PROTOBUF';
  readonly code = KubeProtobufError.code;
  readonly statusCode = 400;
  constructor(readonly problem: string) {
    super(`malformed ${KUBE_PROTOBUF_CONTENT_TYPE} body: ${problem}`);
    this.name = 'KubeProtobufError';
  }
}
