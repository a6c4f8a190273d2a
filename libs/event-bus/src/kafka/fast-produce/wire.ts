// Kafka wire primitives the replacements of kafkajs' encoders share.

/** An Encoder-shaped result, as kafkajs reads one (`buf`, `buffer`, `size()`). */
export class EncodedBytes {
  constructor(readonly buf: Buffer) {}

  get buffer(): Buffer {
    return this.buf;
  }

  size(): number {
    return this.buf.length;
  }
}

/** Bytes of a Kafka nullable string: int16 length (-1: null), then UTF-8. */
export function stringSize(value: string | null): number {
  return value == null ? 2 : 2 + Buffer.byteLength(value, 'utf8');
}

export function writeString(out: Buffer, at: number, value: string | null): number {
  if (value == null) return out.writeInt16BE(-1, at);
  const length = Buffer.byteLength(value, 'utf8');
  at = out.writeInt16BE(length, at);
  return at + out.write(value, at, length, 'utf8');
}
