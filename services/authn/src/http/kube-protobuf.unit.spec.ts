import fc from 'fast-check';
import { parseKubeProtobufEnvelope } from './kube-protobuf';
import { EMPTY_SELF_SUBJECT_REVIEW, MAGIC, key, kubeProtobufBody, lengthDelimited, stringField, varint, varintField } from './kube-protobuf.fixture';

const body = (...bytes: number[]) => Buffer.from(bytes);

describe('parseKubeProtobufEnvelope', () => {
  it("reads kubectl's envelope: apiVersion and kind from the type meta, the raw object's length", () => {
    const envelope = parseKubeProtobufEnvelope(kubeProtobufBody({ typeMeta: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } }));
    expect(envelope).toEqual({ ok: true, typeMeta: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, rawLength: EMPTY_SELF_SUBJECT_REVIEW.length });
  });

  it('an envelope without type meta is well-formed and names nothing', () => {
    expect(parseKubeProtobufEnvelope(kubeProtobufBody())).toEqual({ ok: true, typeMeta: {}, rawLength: EMPTY_SELF_SUBJECT_REVIEW.length });
  });

  it('unknown fields of every wire type are skipped, in the envelope, the type meta and the raw object', () => {
    const unknown = [...varintField(9, 300), ...key(10, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...key(11, 5), 1, 2, 3, 4, ...lengthDelimited(12, [0xff, 0x00])];
    const typeMeta = lengthDelimited(1, [...unknown, ...stringField(2, 'SelfSubjectReview'), ...stringField(1, 'authentication.k8s.io/v1beta1')]);
    const bytes = Buffer.from([...MAGIC, ...typeMeta, ...lengthDelimited(2, [...EMPTY_SELF_SUBJECT_REVIEW, ...unknown]), ...unknown]);
    expect(parseKubeProtobufEnvelope(bytes)).toMatchObject({ ok: true, typeMeta: { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'SelfSubjectReview' } });
  });

  it('a repeated type meta merges field by field, the later value winning (protobuf semantics)', () => {
    const bytes = Buffer.from([...MAGIC, ...lengthDelimited(1, stringField(1, 'a/v1')), ...lengthDelimited(1, stringField(2, 'K')), ...lengthDelimited(1, stringField(1, 'b/v2'))]);
    expect(parseKubeProtobufEnvelope(bytes)).toEqual({ ok: true, typeMeta: { apiVersion: 'b/v2', kind: 'K' }, rawLength: 0 });
  });

  it('contentEncoding and contentType are reported when set', () => {
    const bytes = Buffer.from([...MAGIC, ...stringField(3, 'gzip'), ...stringField(4, 'application/json')]);
    expect(parseKubeProtobufEnvelope(bytes)).toEqual({ ok: true, typeMeta: {}, rawLength: 0, contentEncoding: 'gzip', contentType: 'application/json' });
  });

  const garbage: ReadonlyArray<[string, Buffer, RegExp]> = [
    ['an empty body', body(), /^empty body$/],
    ['the magic alone', body(...MAGIC), /empty body after the k8s/],
    ['a JSON body', Buffer.from('{"kind":"SelfSubjectReview"}'), /must start with the 4 bytes k8s/],
    ['a wrong fourth magic byte', body(0x6b, 0x38, 0x73, 0x01, ...stringField(3, '')), /must start with the 4 bytes k8s/],
    ['three bytes of the magic', body(0x6b, 0x38, 0x73), /must start with the 4 bytes k8s/],
    ['a length past the end of the body', body(...MAGIC, ...key(2, 2), 10, 1, 2, 3), /field 2 at byte 4 is longer than its message/],
    ['a key cut in the middle of its varint', body(...MAGIC, 0x80), /truncated or overlong field key at byte 4/],
    ['an 11-byte varint', body(...MAGIC, ...varintField(9, 0).slice(0, 1), ...Array(10).fill(0x80), 0x01), /truncated or overlong varint at byte 5/],
    ['a varint overflowing 64 bits', body(...MAGIC, ...key(9, 0), ...Array(9).fill(0xff), 0x02), /truncated or overlong varint/],
    ['field number 0', body(...MAGIC, 0x02, 0x00), /invalid field number at byte 4/],
    ['a group (wire type 3)', body(...MAGIC, ...key(9, 3), ...key(9, 4)), /groups .* are not used/],
    ['wire type 7', body(...MAGIC, ...key(9, 7)), /invalid wire type 7 at byte 4/],
    ['a type meta that is a varint', body(...MAGIC, ...varintField(1, 5)), /field 1 at byte 4 has wire type 0, expected 2/],
    ['a truncated fixed64', body(...MAGIC, ...key(9, 1), 1, 2, 3), /truncated 64-bit field at byte 5/],
    ['a truncated fixed32', body(...MAGIC, ...key(9, 5), 1), /truncated 32-bit field at byte 5/],
    ['a kind that is not UTF-8', body(...MAGIC, ...lengthDelimited(1, lengthDelimited(2, [0xc3, 0x28]))), /kind at byte 8 is not UTF-8/],
    ['an apiVersion field inside the type meta that overruns it', body(...MAGIC, ...lengthDelimited(1, [...key(1, 2), 5, 0x61]), 0x61, 0x61, 0x61, 0x61), /TypeMeta: field 1 at byte 6 is longer than its message/],
    ['a raw object that is not protobuf', body(...MAGIC, ...lengthDelimited(2, [...Buffer.from('{"a":1}')])), /the object in raw/],
    ['a contentType that is not UTF-8', body(...MAGIC, ...lengthDelimited(4, [0xff])), /field 4 of runtime.Unknown at byte 6 is not UTF-8/],
  ];
  it.each(garbage)('%s is refused with a problem that names an offset, not the bytes', (_name, bytes, problem) => {
    const envelope = parseKubeProtobufEnvelope(bytes);
    expect(envelope.ok).toBe(false);
    if (!envelope.ok) expect(envelope.problem).toMatch(problem);
  });

  it('the fixture writes varints as the protobuf spec does (300 is AC 02)', () => {
    expect(varint(300)).toEqual([0xac, 0x02]);
    expect(key(2, 2)).toEqual([0x12]);
  });
});

describe('parseKubeProtobufEnvelope (properties)', () => {
  it('never throws, whatever the bytes, and always says ok or a problem', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.uint8Array({ maxLength: 256 }).map((rest) => Uint8Array.from([...MAGIC, ...rest]))), (bytes) => {
        const envelope = parseKubeProtobufEnvelope(bytes);
        if (envelope.ok) expect(envelope.typeMeta).toEqual(expect.any(Object));
        else expect(envelope.problem).toEqual(expect.any(String));
      }),
      { numRuns: 2000 },
    );
  });

  it('a body that does not start with k8s\\x00 is always refused', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 128 }).filter((bytes) => !MAGIC.every((byte, i) => bytes[i] === byte)),
        (bytes) => {
          expect(parseKubeProtobufEnvelope(bytes).ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads back any apiVersion and kind, around unknown fields of any wire type', () => {
    const unknownField = fc.oneof(
      fc.tuple(fc.integer({ min: 5, max: 1000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })).map(([field, value]) => varintField(field, value)),
      fc.tuple(fc.integer({ min: 5, max: 1000 }), fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([field, bytes]) => [...key(field, 1), ...bytes]),
      fc.tuple(fc.integer({ min: 5, max: 1000 }), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([field, bytes]) => [...key(field, 5), ...bytes]),
      fc.tuple(fc.integer({ min: 5, max: 1000 }), fc.uint8Array({ maxLength: 40 })).map(([field, bytes]) => lengthDelimited(field, [...bytes])),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), fc.array(unknownField, { maxLength: 4 }), (apiVersion, kind, unknown) => {
        const envelope = parseKubeProtobufEnvelope(kubeProtobufBody({ typeMeta: { apiVersion, kind }, trailing: unknown.flat() }));
        expect(envelope).toEqual({ ok: true, typeMeta: { apiVersion, kind }, rawLength: EMPTY_SELF_SUBJECT_REVIEW.length });
      }),
      { numRuns: 500 },
    );
  });

  it('cutting a well-formed envelope inside its raw object is always refused', () => {
    const whole = kubeProtobufBody({ typeMeta: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    const rawStart = whole.indexOf(Buffer.from(EMPTY_SELF_SUBJECT_REVIEW));
    fc.assert(
      fc.property(fc.integer({ min: rawStart, max: rawStart + EMPTY_SELF_SUBJECT_REVIEW.length - 1 }), (cut) => {
        expect(parseKubeProtobufEnvelope(whole.subarray(0, cut)).ok).toBe(false);
      }),
    );
  });
});
