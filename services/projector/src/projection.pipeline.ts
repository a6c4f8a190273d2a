// Batches of one partition projected in order, each decoded while the batch before it is still
// being written and committed: the Node half of batch N+1 (decoding, COPY input, folding) runs
// while PostgreSQL works on batch N (COPY, upserts, commit), so on two cores both halves run at
// once instead of taking turns. Checkpoint order is kept: batch N+1's transaction starts only
// after batch N's committed, and never after it failed.
import type { ConsumedRecord } from '@authtrail/event-bus';
import type { ReadModelDb } from '@authtrail/read-model';
import { prepareBatch } from './batch.prepare';
import { sliceSizeFor, writePreparedBatch, type BatchPosition, type ProjectRecordsOptions, type RecordsProjection } from './batch.handler';

/** A batch was not written because one submitted before it failed; resume from the stored checkpoint. */
export class EarlierBatchFailedError extends Error {
  override readonly name = 'EarlierBatchFailedError';
  constructor(override readonly cause: unknown) {
    super(`not written: an earlier batch of the pipeline failed (${cause instanceof Error ? cause.name : 'unknown error'})`);
  }
}

export class ProjectionPipeline {
  private written: Promise<unknown> = Promise.resolve();
  private decoded: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: ReadModelDb,
    private readonly options: ProjectRecordsOptions = {},
  ) {}

  /**
   * Starts decoding `records` once the batches submitted before are decoded, and writes them in
   * one transaction once those are committed. `position.continuesCheckpoint` is the `nextOffset`
   * of the batch submitted before. After a failure every later batch rejects with
   * EarlierBatchFailedError without writing: start a new pipeline from the stored checkpoint.
   */
  submit(records: readonly ConsumedRecord[], position: BatchPosition | undefined): Promise<RecordsProjection> {
    const prepared = prepareBatch(records, sliceSizeFor(records.length, this.options.sliceSize), this.decoded);
    this.decoded = prepared.decoded;
    const result = this.written.then(
      () => writePreparedBatch(this.db, prepared, position, this.options),
      (error: unknown) => {
        throw error instanceof EarlierBatchFailedError ? error : new EarlierBatchFailedError(error);
      },
    );
    this.written = result;
    // The caller awaits `result`; the chain itself must not report an unhandled rejection.
    result.catch(() => undefined);
    return result;
  }
}
