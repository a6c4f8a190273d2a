// A drop-in for kafkajs 2.2.4's request framing (`protocol/request.js`), which every request
// passes through: the size, then the header v1 (api key, api version, correlation id, client id)
// and the encoded request — the same bytes, written into one buffer of their final size. kafkajs
// writes them through two Encoders, each starting at 512 zero-filled bytes and growing by zero-
// filled doubling, so a produce request of ~40 KB was allocated and copied twice more (≈ 1 µs of
// CPU per decision record in the cached TokenReview profile, docs/event-bus.md lever (g)).
//
//   Request => size int32 | api_key int16 | api_version int16 | correlation_id int32
//              | client_id nullable-string | request bytes
import { EncodedBytes, stringSize, writeString } from './wire';

interface EncodedRequest {
  readonly buffer: Buffer;
}

export interface FramedRequestInput {
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly request: { readonly apiKey: number; readonly apiVersion: number; encode(): Promise<EncodedRequest> | EncodedRequest };
}

export async function frameRequest({ correlationId, clientId, request: { apiKey, apiVersion, encode } }: FramedRequestInput): Promise<EncodedBytes> {
  const payload = (await encode()).buffer;
  const size = 2 + 2 + 4 + stringSize(clientId) + payload.length;
  const out = Buffer.allocUnsafe(4 + size);
  let at = out.writeInt32BE(size, 0);
  at = out.writeInt16BE(apiKey, at);
  at = out.writeInt16BE(apiVersion, at);
  at = out.writeInt32BE(correlationId, at);
  at = writeString(out, at, clientId);
  payload.copy(out, at);
  return new EncodedBytes(out);
}
