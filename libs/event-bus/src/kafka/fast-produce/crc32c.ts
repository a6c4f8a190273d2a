// CRC-32C (Castagnoli), the checksum of a Kafka record batch (magic 2), over every batch sent.
// kafkajs computes it one byte at a time (≈ 6 ns a byte here); a slicing-by-8 table in JavaScript
// took ≈ 0.8 ns (1.1–2.3 µs a request under load, the largest single frame of the produce path);
// @node-rs/crc32 (SSE 4.2 / ARMv8 CRC instructions, prebuilt for every platform the image and
// `npm install` target, as @node-rs/bcrypt and argon2 already are) ≈ 0.17 ns (docs/event-bus.md).
export { crc32c } from '@node-rs/crc32';
