// A drop-in for kafkajs 2.2.4's `producer/groupMessagesPerPartition.js`: each message of a batch
// goes to the list of the partition the partitioner gives it, in order — the same object of
// lists. kafkajs copies a partition's whole list and makes an object for every message it adds
// (quadratic in the batch; ≈ 1 µs of CPU per decision record in the cached TokenReview profile,
// docs/event-bus.md lever (g)); here each message is appended once.

export interface PartitionGroupingInput<M> {
  readonly topic: string;
  readonly partitionMetadata: readonly unknown[];
  readonly messages: readonly M[];
  readonly partitioner: (args: { topic: string; partitionMetadata: readonly unknown[]; message: M }) => number;
}

export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: PartitionGroupingInput<M>): Record<string, M[]> {
  const groups: Record<string, M[]> = {};
  if (partitionMetadata.length === 0) return groups;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const group = groups[partition];
    if (group === undefined) groups[partition] = [message];
    else group.push(message);
  }
  return groups;
}
