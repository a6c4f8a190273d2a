// The kafkajs the producer runs on: kafkajs 2.2.4 with its produce request encoder (v3, which
// v4–v7 reuse) replaced by produce-request.encoder.ts — the same bytes, with our record encoder,
// our CRC-32C and one buffer per batch and per request. kafkajs' encoding was ≈ 14 µs of CPU per
// ~1 KB record, ours ≈ 2.5 µs (bench/events, docs/event-bus.md "The Kafka share").
//
// kafkajs loads that module lazily, with the first produce request (produce/index.js requires
// it per version on first use), so the replacement is put into Node's module cache under the
// original file name before that happens. kafkajs is loaded through Node's own `require`
// (process.getBuiltinModule), not the caller's: under jest that gives the real module cache too.
// It is installed only for kafkajs 2.2.4 (unmaintained, so the pin is the review point of an
// upgrade) and only while the original is not loaded yet; otherwise stock kafkajs stays and
// `tunedKafkajs().replaced` is empty.
import type * as KafkaJs from 'kafkajs';
import { createProduceRequestV3, type KafkajsParts } from './produce-request.encoder';

export const TUNED_KAFKAJS_VERSION = '2.2.4';

export interface TunedKafkajs {
  readonly kafkajs: typeof KafkaJs;
  /** The kafkajs modules running our replacement (empty: stock kafkajs). */
  readonly replaced: readonly 'produce request'[];
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

function load(): TunedKafkajs {
  const Module = process.getBuiltinModule('node:module') as unknown as NodeModuleInternals;
  const path = process.getBuiltinModule('node:path');
  const nodeRequire = Module.createRequire(__filename);
  const root = path.dirname(nodeRequire.resolve('kafkajs/package.json'));
  const version = (nodeRequire(path.join(root, 'package.json')) as { version: string }).version;
  const replaced: TunedKafkajs['replaced'][number][] = [];
  if (version === TUNED_KAFKAJS_VERSION) {
    const target = path.join(root, 'src/protocol/requests/produce/v3/request.js');
    const current = Module._cache[target] as { exports?: Record<symbol, unknown> } | undefined;
    if (current?.exports?.[REPLACEMENT] === true) {
      replaced.push('produce request');
    } else if (current === undefined) {
      const source = (relative: string) => nodeRequire(path.join(root, 'src', relative)) as unknown;
      const parts: KafkajsParts = {
        Long: source('utils/long.js') as KafkajsParts['Long'],
        lookupCodec: (source('protocol/message/compression/index.js') as { lookupCodec: KafkajsParts['lookupCodec'] }).lookupCodec,
        produceApiKey: (source('protocol/requests/apiKeys.js') as { Produce: number }).Produce,
      };
      const replacement = new Module(target);
      replacement.filename = target;
      replacement.paths = Module._nodeModulePaths(path.dirname(target));
      replacement.exports = Object.assign(createProduceRequestV3(parts), { [REPLACEMENT]: true });
      replacement.loaded = true;
      Module._cache[target] = replacement;
      replaced.push('produce request');
    }
  }
  return { kafkajs: nodeRequire(root) as typeof KafkaJs, replaced };
}
