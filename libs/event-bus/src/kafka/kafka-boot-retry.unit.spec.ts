import { KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { bootRetryDelay, isRetriable } from './kafka-boot-retry';

describe('bootRetryDelay', () => {
  const settings = { initialDelayMs: 500, maxDelayMs: 10_000 };
  const noJitter = () => 1;

  it.each([
    [1, 500],
    [2, 1_000],
    [3, 2_000],
    [5, 8_000],
    [6, 10_000],
    [40, 10_000],
  ])('after %i failed attempts the next delay is %i ms (doubling, capped at maxDelayMs)', (failed, expected) => {
    expect(bootRetryDelay(settings, failed, noJitter)).toBe(expected);
  });

  it('jitter shortens a delay by at most a fifth, never lengthens it', () => {
    expect(bootRetryDelay(settings, 3, () => 0)).toBe(1_600);
    expect(bootRetryDelay(settings, 3, () => 0.5)).toBe(1_800);
  });
});

// kafkajs' type declarations lag its constructors (the options argument, a protocol error's fields).
const NumberOfRetriesExceeded = KafkaJSNumberOfRetriesExceeded as unknown as new (e: Error, options: { retryCount: number; retryTime: number }) => Error;
const NonRetriableError = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
const ProtocolError = KafkaJSProtocolError as unknown as new (e: { message: string; type: string; code: number; retriable: boolean }) => Error;

describe('isRetriable (what boot waits out)', () => {
  it.each([
    ['connection refused', true, new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')],
    ['kafkajs gave up retrying', true, new NumberOfRetriesExceeded(new Error('timeout'), { retryCount: 3, retryTime: 1_000 })],
    ['a non-retriable wrapper around a refused connection', true, new NonRetriableError(new KafkaJSConnectionError('refused'), { cause: new KafkaJSConnectionError('refused') })],
    ['topic authorisation failed', false, new ProtocolError({ message: 'not authorised', type: 'TOPIC_AUTHORIZATION_FAILED', code: 29, retriable: false })],
    ['a plain error', false, new Error('boom')],
    ['not an error at all', false, 'boom'],
  ])('%s → retried: %s', (_what, expected, error) => {
    expect(isRetriable(error)).toBe(expected);
  });
});
