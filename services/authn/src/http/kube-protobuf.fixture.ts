// Test-only: Kubernetes protobuf bodies built byte by byte from the wire format (protobuf
// encoding: varint keys `field << 3 | wireType`, length-delimited fields as length + bytes) and
// the apimachinery envelope (`k8s\x00` + runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2,
// contentEncoding=3, contentType=4}). Independent of kube-protobuf.ts on purpose: the parser is
// checked against the spec, not against itself.

export const MAGIC = [0x6b, 0x38, 0x73, 0x00] as const;

export function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

export const key = (field: number, wireType: number): number[] => varint(field * 8 + wireType);
export const lengthDelimited = (field: number, bytes: readonly number[]): number[] => [...key(field, 2), ...varint(bytes.length), ...bytes];
export const stringField = (field: number, text: string): number[] => lengthDelimited(field, [...Buffer.from(text, 'utf8')]);
export const varintField = (field: number, value: number): number[] => [...key(field, 0), ...varint(value)];

export interface EnvelopeParts {
  /** Absent: no typeMeta field at all. */
  readonly typeMeta?: { readonly apiVersion?: string; readonly kind?: string };
  readonly raw?: readonly number[];
  /** Fields appended after the known ones (unknown fields a newer encoder might add). */
  readonly trailing?: readonly number[];
}

/** An empty SelfSubjectReview as the generated Go marshaller writes it: metadata{name:"", creationTimestamp{}} and status{userInfo{username:"", uid:""}}. */
export const EMPTY_SELF_SUBJECT_REVIEW: readonly number[] = [
  ...lengthDelimited(1, [...stringField(1, ''), ...lengthDelimited(8, [...varintField(1, 0), ...varintField(2, 0)])]),
  ...lengthDelimited(2, lengthDelimited(1, [...stringField(1, ''), ...stringField(2, '')])),
];

/** The whole body: magic, then the runtime.Unknown fields in field order (empty strings written, as Go's marshaller does). */
export function kubeProtobufBody(parts: EnvelopeParts = {}): Buffer {
  const typeMeta = parts.typeMeta
    ? lengthDelimited(1, [...(parts.typeMeta.apiVersion !== undefined ? stringField(1, parts.typeMeta.apiVersion) : []), ...(parts.typeMeta.kind !== undefined ? stringField(2, parts.typeMeta.kind) : [])])
    : [];
  return Buffer.from([...MAGIC, ...typeMeta, ...lengthDelimited(2, parts.raw ?? EMPTY_SELF_SUBJECT_REVIEW), ...stringField(3, ''), ...stringField(4, ''), ...(parts.trailing ?? [])]);
}

/** kubectl's body for `auth whoami` at `version`. */
export const whoamiBody = (version: string): Buffer => kubeProtobufBody({ typeMeta: { apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' } });
