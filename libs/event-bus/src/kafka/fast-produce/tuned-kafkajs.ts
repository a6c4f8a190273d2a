// The kafkajs the producer runs on: kafkajs 2.2.4 with three of its modules replaced, each giving
// the same bytes or the same result with less CPU (docs/event-bus.md "The Kafka share"):
// - the produce request encoder (v3, which v4–v7 reuse): produce-request.encoder.ts, with our
//   record encoder, our CRC-32C and one buffer per batch and per request. kafkajs' encoding was
//   ≈ 14 µs of CPU per ~1 KB record, ours ≈ 2.5 µs (bench/events);
// - the framing every request passes through (`protocol/request.js`): request-framing.ts;
// - the grouping of a batch's messages by partition: partition-grouping.ts;
// and one method changed in place: the request queue arms its pending-request check only while a
// request waits (pending-request-checks.ts), instead of every millisecond of the client's life.
//
// kafkajs loads the encoder lazily, with the first produce request (produce/index.js requires it
// per version on first use), and the other two with itself; so each replacement is put into
// Node's module cache under the original file name before kafkajs is loaded. kafkajs is loaded
// through Node's own `require` (process.getBuiltinModule), not the caller's: under jest that
// gives the real module cache too, and in a process every kafkajs client (consumers too) shares
// the replaced framing. They are installed only for kafkajs 2.2.4 (unmaintained, so the pin is
// the review point of an upgrade) and each module only while its original is not loaded yet;
// otherwise stock kafkajs stays and `tunedKafkajs().replaced` does not name it. The method is set
// on the class kafkajs loaded or will load, whichever.
import type * as KafkaJs from 'kafkajs';
import { groupMessagesPerPartition, type PartitionGroupingInput } from './partition-grouping';
import { checkOnlyWhilePending, type RequestQueueInternals } from './pending-request-checks';
import { createProduceRequestV3, type KafkajsParts } from './produce-request.encoder';
import { frameRequest, type FramedRequestInput } from './request-framing';

export const TUNED_KAFKAJS_VERSION = '2.2.4';

type Replacement = 'produce request' | 'request framing' | 'partition grouping' | 'pending-request checks';

export interface TunedKafkajs {
  readonly kafkajs: typeof KafkaJs;
  /** The kafkajs modules running our replacements (empty: stock kafkajs). */
  readonly replaced: readonly Replacement[];
}

interface NodeModuleInternals {
  createRequire(filename: string): NodeJS.Require;
  new (id: string): { filename: string; loaded: boolean; exports: unknown; paths: string[] };
  _cache: Record<string, unknown>;
  _nodeModulePaths(dir: string): string[];
}

/** Marks our replacements, so a second load (another module registry, as jest has per test file) recognises them. */
const REPLACEMENT = Symbol.for('authtrail.event-bus.tuned-kafkajs');

let loaded: TunedKafkajs | undefined;

export function tunedKafkajs(): TunedKafkajs {
  loaded ??= load();
  return loaded;
}

/**
 * kafkajs for a Kafka bus of `encoding`, loaded when the bus is made and not before, so that the
 * tuned one can still put its replacements in place: the bus takes every kafkajs value (clients,
 * enums, partitioners) from here, never from a module-level import. `kafkajs`: stock, as Node
 * loads it (the replacements only when a tuned bus of this process was made first).
 */
export function kafkajsFor(encoding: 'tuned' | 'kafkajs'): typeof KafkaJs {
  if (encoding === 'tuned') return tunedKafkajs().kafkajs;
  const Module = process.getBuiltinModule('node:module') as unknown as NodeModuleInternals;
  return Module.createRequire(__filename)('kafkajs') as typeof KafkaJs;
}

function load(): TunedKafkajs {
  const Module = process.getBuiltinModule('node:module') as unknown as NodeModuleInternals;
  const path = process.getBuiltinModule('node:path');
  const nodeRequire = Module.createRequire(__filename);
  const root = path.dirname(nodeRequire.resolve('kafkajs/package.json'));
  const version = (nodeRequire(path.join(root, 'package.json')) as { version: string }).version;
  const replaced: Replacement[] = [];
  if (version === TUNED_KAFKAJS_VERSION) {
    const source = (relative: string) => nodeRequire(path.join(root, 'src', relative)) as unknown;
    /** Puts `exports` into Node's module cache as kafkajs' `relative` file, unless kafkajs loaded its own already. */
    const replace = (name: Replacement, relative: string, exports: () => object) => {
      const target = path.join(root, 'src', relative);
      const current = Module._cache[target] as { exports?: Record<symbol, unknown> } | undefined;
      if (current?.exports?.[REPLACEMENT] === true) {
        replaced.push(name);
      } else if (current === undefined) {
        const replacement = new Module(target);
        replacement.filename = target;
        replacement.paths = Module._nodeModulePaths(path.dirname(target));
        replacement.exports = Object.assign(exports(), { [REPLACEMENT]: true });
        replacement.loaded = true;
        Module._cache[target] = replacement;
        replaced.push(name);
      }
    };
    replace('produce request', 'protocol/requests/produce/v3/request.js', () =>
      createProduceRequestV3({
        Long: source('utils/long.js') as KafkajsParts['Long'],
        lookupCodec: (source('protocol/message/compression/index.js') as { lookupCodec: KafkajsParts['lookupCodec'] }).lookupCodec,
        produceApiKey: (source('protocol/requests/apiKeys.js') as { Produce: number }).Produce,
      }),
    );
    // Both are loaded with kafkajs itself (network/connection.js, producer/sendMessages.js).
    replace('request framing', 'protocol/request.js', () => (input: FramedRequestInput) => frameRequest(input));
    replace('partition grouping', 'producer/groupMessagesPerPartition.js', () => (input: PartitionGroupingInput<unknown>) => groupMessagesPerPartition(input));
    checkOnlyWhilePending(source('network/requestQueue/index.js') as { prototype: RequestQueueInternals });
    replaced.push('pending-request checks');
  }
  return { kafkajs: nodeRequire(root) as typeof KafkaJs, replaced };
}
