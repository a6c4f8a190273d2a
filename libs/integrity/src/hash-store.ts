// The hash of every position of a chain, 32 bytes each in chunks: a verifier has to remember
// each position to tell a redelivery from a conflicting record, over millions of events.
const CHUNK = 4096;

interface Chunk {
  readonly hashes: Buffer;
  readonly present: Uint8Array;
}

export class HashStore {
  private readonly chunks = new Map<number, Chunk>();

  get(sequence: number): Buffer | undefined {
    const chunk = this.chunks.get(Math.floor(sequence / CHUNK));
    const slot = sequence % CHUNK;
    return chunk && chunk.present[slot] === 1 ? chunk.hashes.subarray(slot * 32, slot * 32 + 32) : undefined;
  }

  set(sequence: number, hexHash: string): void {
    const index = Math.floor(sequence / CHUNK);
    let chunk = this.chunks.get(index);
    if (!chunk) {
      chunk = { hashes: Buffer.alloc(CHUNK * 32), present: new Uint8Array(CHUNK) };
      this.chunks.set(index, chunk);
    }
    const slot = sequence % CHUNK;
    chunk.hashes.write(hexHash, slot * 32, 32, 'hex');
    chunk.present[slot] = 1;
  }
}
