import { KafkaJSAggregateError, KafkaJSProtocolError } from 'kafkajs';
import { refusedAsTooLarge } from './kafka-transport';

// kafkajs' own error classes, as its produce path throws them (Kafka protocol codes 10 and 18).
const protocolError = (type: string, code: number) => new KafkaJSProtocolError({ type, code, message: `${type} from the broker`, retriable: false } as never);

describe('refusedAsTooLarge', () => {
  it.each([
    ['MESSAGE_TOO_LARGE (a record batch above message.max.bytes)', true, protocolError('MESSAGE_TOO_LARGE', 10)],
    ['RECORD_LIST_TOO_LARGE', true, protocolError('RECORD_LIST_TOO_LARGE', 18)],
    ['the same inside the aggregate of a send to several brokers', true, new KafkaJSAggregateError('several brokers failed', [protocolError('NOT_LEADER_FOR_PARTITION', 6), protocolError('MESSAGE_TOO_LARGE', 10)])],
    ['another protocol error', false, protocolError('NOT_LEADER_FOR_PARTITION', 6)],
    ['a connection error', false, new Error('Connection error: connect ECONNREFUSED')],
    ['something not an error', false, 'MESSAGE_TOO_LARGE'],
  ] as const)('%s → %s', (_case, expected, error) => {
    expect(refusedAsTooLarge(error)).toBe(expected);
  });
});
