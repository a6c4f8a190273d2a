// The hash chain of one producer boot, built from config (docs/integrity.md): its keys, the
// anchor the previous boot of the instance left, the checkpoint cadence.
import type { AuthtrailConfig } from '@authtrail/config';
import { ChainWriter, CheckpointSigner } from '@authtrail/integrity';
import { anchorFileOf, checkpointAnchorWriter, readCheckpointAnchor } from './checkpoint-anchor';
import { createChainedPublisher, type ChainedPublisher, type ChainedPublisherDeps } from './chained-publisher';
import { integrityKeysFor } from './integrity-keys';

export interface ProducerChainDeps extends Pick<ChainedPublisherDeps, 'publisher' | 'source' | 'newEventId' | 'now' | 'logger'> {
  readonly instance: string;
  readonly boot: string;
  /** The boot's sequence ledger file: the checkpoint anchor lives beside it. */
  readonly ledgerFile: string;
}

export function startProducerChain(config: Pick<AuthtrailConfig, 'integrity' | 'dataDir'>, deps: ProducerChainDeps): ChainedPublisher {
  const { signing, keys } = integrityKeysFor(config);
  const anchorFile = anchorFileOf(deps.ledgerFile);
  const anchor = readCheckpointAnchor(anchorFile);
  if (anchor.kind === 'unreadable') deps.logger.warn({ file: anchorFile }, 'the last checkpoint of the previous boot is unreadable; this boot starts a chain from genesis');
  const writer = new ChainWriter({ instance: deps.instance, boot: deps.boot, lastCheckpoint: anchor.kind === 'ok' ? anchor.hash : null });
  const { checkpointEvery, checkpointInterval } = config.integrity;
  const signer = new CheckpointSigner({ key: signing, everyEvents: checkpointEvery, everyMillis: checkpointInterval, startedAt: deps.now().getTime() });
  const anchorWriter = checkpointAnchorWriter(anchorFile);
  const chained = createChainedPublisher({
    publisher: deps.publisher,
    writer,
    signer,
    keys,
    source: deps.source,
    newEventId: deps.newEventId,
    now: deps.now,
    pollMs: Math.max(50, Math.min(1_000, checkpointInterval / 4)),
    onCheckpoint: (hash) => anchorWriter.write(hash),
    logger: deps.logger,
  });
  return {
    ...chained,
    close() {
      chained.close();
      anchorWriter.close();
    },
  };
}
