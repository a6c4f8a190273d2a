import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  ChainVerifier,
  IntegrityKeyError,
  keyInputsOfJwks,
  loadVerificationKeys,
  parseExportLine,
  type ChainReport,
  type Finding,
  type KeyInput,
  type VerificationKeyRing,
  type VerificationReport,
} from '@authtrail/integrity';
import { UsageError, type CliIo, type Command } from '../cli-io';
import { durationOption, parseOptions } from '../parse-options';
import { brokersOption, DEFAULT_EXPORT_TOPICS, readKafkaTopics } from './export.command';

const USAGE = `authtrail verify (--input FILE | --brokers HOST:PORT,… | --config FILE) (--public-key ID=FILE… | --jwks FILE)
                 [--topic TOPIC]… [--partial] [--json] [--timeout DURATION]

Checks the integrity chains of the events (docs/integrity.md) with the producers' public keys only:
every event linked to the one before it by SHA-256, every range covered by a signed checkpoint, no
position missing, taken twice or swapped within a partition. Reads an \`authtrail export\` file
(--input; a file of bare CloudEvents, one per line, works too, without the partition checks) or the
topics on Kafka (default: ${DEFAULT_EXPORT_TOPICS.join(', ')}).

  --public-key   ID=PEM-FILE of an Ed25519 public key (repeat for several, e.g. across a rotation)
  --jwks         a JWK Set file of the public keys (the keys endpoint's answer)
  --partial      the input starts in the middle of chains (an export with --since, Kafka retention):
                 sequences before the first one seen of a chain are not a gap
  --json         print the report as JSON

Prints what is proven per chain: its sequence range, counts, and the last checkpoint up to which
every event is present, linked and signed. Exits 1 when there is any finding, naming each.`;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check the integrity chains of exported or live events with the public keys',
  usage: USAGE,
  async run(args, io) {
    const o = parseOptions(args, {
      input: { type: 'string', short: 'i' },
      brokers: { type: 'string' },
      config: { type: 'string', short: 'c' },
      topic: { type: 'string', multiple: true },
      'public-key': { type: 'string', multiple: true },
      jwks: { type: 'string' },
      partial: { type: 'boolean' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
    });
    const keys = verificationKeys(o['public-key'] ?? [], o.jwks, io);
    const verifier = new ChainVerifier({ keys, allowPartialStart: o.partial ?? false });
    if (o.input !== undefined) {
      if (o.brokers !== undefined || o.topic !== undefined) throw new UsageError('--input reads a file: --brokers and --topic are for reading Kafka');
      await verifyFile(path.resolve(io.cwd, o.input), o.input, verifier);
    } else {
      const source = { brokers: brokersOption(o.brokers, o.config, io), topics: o.topic ?? DEFAULT_EXPORT_TOPICS, timeoutMs: durationOption(o.timeout, 'timeout', '10m') };
      await readKafkaTopics(source, io, (record) => verifier.add(record.value, { topic: record.topic, partition: record.partition, offset: record.offset }));
    }
    const report = verifier.finish();
    io.stdout(o.json ? `${JSON.stringify(report, null, 2)}\n` : describeReport(report));
    if (!report.ok) {
      const byKind = new Map<string, number>();
      for (const finding of report.findings) byKind.set(finding.kind, (byKind.get(finding.kind) ?? 0) + 1);
      throw new Error(`${report.findings.length} finding${report.findings.length === 1 ? '' : 's'}: ${[...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
    }
  },
};

function verificationKeys(publicKeys: readonly string[], jwks: string | undefined, io: CliIo): VerificationKeyRing {
  if (publicKeys.length === 0 && jwks === undefined) throw new UsageError('give the public keys: --public-key ID=FILE (repeatable) or --jwks FILE');
  const inputs: KeyInput[] = publicKeys.map((option) => {
    const equals = option.indexOf('=');
    if (equals <= 0) throw new UsageError(`--public-key: "${option}" is not ID=FILE`);
    return { id: option.slice(0, equals), key: readKeyFile(option.slice(equals + 1), '--public-key', io) };
  });
  try {
    if (jwks !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(readKeyFile(jwks, '--jwks', io));
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(`--jwks: ${jwks} is not JSON`);
      }
      inputs.push(...keyInputsOfJwks(parsed));
    }
    return loadVerificationKeys(inputs);
  } catch (error) {
    if (error instanceof IntegrityKeyError) throw new UsageError(error.message);
    throw error;
  }
}

function readKeyFile(file: string, option: string, io: CliIo): string {
  try {
    return readFileSync(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Feeds an export file line by line; a line is split on the newline byte, so the value bytes stay exact. */
async function verifyFile(file: string, shown: string, verifier: ChainVerifier): Promise<void> {
  let carry: Buffer = Buffer.alloc(0);
  let lineNumber = 0;
  const feed = (line: Buffer) => {
    lineNumber += 1;
    if (line.length === 0) return;
    const read = parseExportLine(line, lineNumber);
    if (read.ok) verifier.add(read.value, read.location);
    else verifier.addUnreadable(read.detail, { line: lineNumber });
  };
  try {
    for await (const chunk of createReadStream(file)) {
      let data = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a)) {
        feed(data.subarray(0, newline));
        data = data.subarray(newline + 1);
      }
      carry = Buffer.from(data);
    }
  } catch (error) {
    throw new UsageError(`--input: cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (carry.length > 0) feed(carry);
}

function describeReport(report: VerificationReport): string {
  const lines = [
    `${report.records} records: ${report.chained} chained in ${report.chains.length} chain${report.chains.length === 1 ? '' : 's'}, ${report.unchained} unchained (written before chaining), ${report.redelivered} redelivered (byte-identical copies)`,
  ];
  for (const chain of report.chains) lines.push(...describeChain(chain));
  if (report.findings.length === 0) lines.push('no findings');
  else {
    lines.push(`findings (${report.findings.length}):`);
    for (const finding of report.findings) lines.push(`  ${describeFinding(finding)}`);
  }
  return `${lines.join('\n')}\n`;
}

function describeChain(chain: ChainReport): string[] {
  const anchor =
    chain.anchor.kind === 'genesis'
      ? 'starts at genesis (the first boot of its instance)'
      : chain.anchor.kind === 'checkpoint'
        ? `starts from checkpoint ${chain.anchor.sequence} of ${chain.anchor.chainId}`
        : chain.anchor.kind === 'outside_input'
          ? `starts from checkpoint ${chain.anchor.hash.slice(0, 12)}…, not in this input`
          : `its sequence 1 is not in this input`;
  const lines = [`chain ${chain.chainId}: sequences ${chain.firstSequence}-${chain.lastSequence} (${chain.events} events, ${chain.checkpoints} checkpoints, ${chain.redelivered} redelivered), ${anchor}`];
  const proven = chain.verifiedThrough;
  lines.push(
    proven
      ? `  proven: sequences ${chain.firstSequence}-${proven.toSequence} through checkpoint ${proven.checkpointSequence} (key ${proven.keyId}, last event at ${proven.lastTime})`
      : '  proven: nothing (no valid checkpoint before the first finding)',
  );
  if (chain.unanchoredTail) lines.push(`  not covered by a valid checkpoint: sequences ${chain.unanchoredTail.fromSequence}-${chain.unanchoredTail.toSequence}`);
  return lines;
}

function describeFinding(finding: Finding): string {
  const at = finding.sequence === undefined ? '' : finding.toSequence !== undefined && finding.toSequence !== finding.sequence ? ` #${finding.sequence}-${finding.toSequence}` : ` #${finding.sequence}`;
  const location = finding.location;
  const where = location ? [location.topic, location.partition !== undefined ? `partition ${location.partition}` : undefined, location.offset !== undefined ? `offset ${location.offset}` : undefined, location.line !== undefined ? `line ${location.line}` : undefined].filter((part) => part !== undefined).join(' ') : '';
  return `${finding.kind} ${finding.chainId ?? '(no chain)'}${at}: ${finding.evidence}${where ? ` [${where}]` : ''}`;
}
