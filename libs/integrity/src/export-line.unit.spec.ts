import fc from 'fast-check';
import { formatExportLine, parseExportLine } from './export-line';

const record = { topic: 'authtrail.decisions.v1', partition: 2, offset: '1234', timestamp: '1765015200000', value: Buffer.from('{"specversion":"1.0","id":"x","data":{"a":"é \\n"}}') };

describe('export lines', () => {
  it('hold the location and the value verbatim, on one line', () => {
    const line = formatExportLine(record);
    expect(line.toString()).toBe(`{"topic":"authtrail.decisions.v1","partition":2,"offset":"1234","timestamp":"1765015200000","value":${record.value.toString()}}\n`);
    const read = parseExportLine(line.subarray(0, line.length - 1), 7);
    expect(read).toEqual({ ok: true, value: record.value, location: { topic: 'authtrail.decisions.v1', partition: 2, offset: '1234', line: 7 } });
  });

  it('give back exactly the bytes of any JSON record value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), (value, topic, partition, offset) => {
        const bytes = Buffer.from(JSON.stringify(value) ?? 'null');
        const line = formatExportLine({ topic, partition, offset: offset.toString(), timestamp: '0', value: bytes });
        expect(line.indexOf(0x0a)).toBe(line.length - 1);
        const read = parseExportLine(line.subarray(0, -1), 1);
        expect(read.ok && read.value.equals(bytes)).toBe(true);
      }),
    );
  });

  it('a bare CloudEvent line is read as the value, without a Kafka location', () => {
    const read = parseExportLine(record.value, 3);
    expect(read).toEqual({ ok: true, value: record.value, location: { line: 3 } });
  });

  it.each([
    ['not JSON', '{"topic":', 'is not JSON'],
    ['an array', '[1]', 'not a JSON object'],
    ['a negative partition', '{"topic":"t","partition":-1,"offset":"1","timestamp":"0","value":{}}', 'neither an export line'],
    ['an offset that is a number', '{"topic":"t","partition":0,"offset":1,"timestamp":"0","value":{}}', 'neither an export line'],
    ['members in another order', '{"partition":0,"topic":"t","offset":"1","timestamp":"0","value":{}}', 'not laid out as authtrail export writes it'],
    ['a space between the members', '{"topic":"t", "partition":0,"offset":"1","timestamp":"0","value":{}}', 'not laid out'],
    ['something after the value', '{"topic":"t","partition":0,"offset":"1","timestamp":"0","value":{},"x":1}', 'not laid out'],
  ])('refuses %s with a named reason', (_name, text, detail) => {
    const read = parseExportLine(Buffer.from(text), 9);
    expect(read).toEqual({ ok: false, detail: expect.stringContaining(detail) });
    expect(read.ok || read.detail.includes('line 9')).toBe(true);
  });

  it('never throws on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => parseExportLine(Buffer.from(bytes), 1)).not.toThrow();
      }),
    );
  });

  it('refuses to write a value holding a raw newline (it would split the record over two lines)', () => {
    expect(() => formatExportLine({ ...record, value: Buffer.from('{"a":\n1}') })).toThrow('holds a newline');
  });
});
