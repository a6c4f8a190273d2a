// RS256 verification on a second thread, for the floor that asks whether two cores gain (issue
// #19 item 1): the signatures of one event-loop turn go to a worker thread in one message, the
// worker verifies them back to back and answers with one message. No per-call thread-pool job
// (`crypto.verify` with a callback costs a job and a wake-up per signature, and measured slower).
import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';

// Inline source: the benches run bundled into one file (bundled-rerun.ts), where a worker file
// of its own would not exist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { verify } = require('node:crypto');
parentPort.on('message', ({ id, inputs, signatures }) => {
  const valid = new Uint8Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) valid[i] = verify('sha256', inputs[i], workerData.key, signatures[i]) ? 1 : 0;
  parentPort.postMessage({ id, valid });
});`;

export interface OffThreadVerifier {
  /** Whether `signature` is the RS256 signature of `signingInput` under the key, checked on the worker. */
  verify(signingInput: Buffer, signature: Buffer): Promise<boolean>;
  close(): Promise<void>;
}

interface Batch {
  readonly inputs: Buffer[];
  readonly signatures: Buffer[];
  readonly answers: ((valid: boolean) => void)[];
}

export function offThreadRs256Verifier(key: KeyObject): OffThreadVerifier {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { key } });
  const waiting = new Map<number, Batch['answers']>();
  let open: Batch | undefined;
  let nextId = 0;
  worker.on('message', ({ id, valid }: { id: number; valid: Uint8Array }) => {
    const answers = waiting.get(id) ?? [];
    waiting.delete(id);
    answers.forEach((answer, i) => answer(valid[i] === 1));
  });
  const send = () => {
    const batch = open as Batch;
    open = undefined;
    const id = nextId++;
    waiting.set(id, batch.answers);
    worker.postMessage({ id, inputs: batch.inputs, signatures: batch.signatures });
  };
  return {
    verify(signingInput, signature) {
      if (open === undefined) {
        open = { inputs: [], signatures: [], answers: [] };
        setImmediate(send);
      }
      const batch = open;
      batch.inputs.push(signingInput);
      batch.signatures.push(signature);
      return new Promise((resolve) => batch.answers.push(resolve));
    },
    close: async () => void (await worker.terminate()),
  };
}
