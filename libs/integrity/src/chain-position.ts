// Where an event sits in its producer chain: three CloudEvents extension attributes written on
// every event a producer publishes (docs/integrity.md). The envelope schema of libs/events
// accepts them (lower-case names of at most 20 characters, scalar values).

export const CHAIN_ID_ATTRIBUTE = 'chainid';
export const CHAIN_SEQUENCE_ATTRIBUTE = 'chainseq';
export const CHAIN_PREVIOUS_ATTRIBUTE = 'chainprev';

/** The link of the first event of a producer that has no earlier checkpoint. */
export const GENESIS_LINK = '0'.repeat(64);

export interface ChainPosition {
  /** `<instance>/<boot>`. */
  readonly chainid: string;
  /** 1, 2, 3 … over every event the boot publishes. */
  readonly chainseq: number;
  /** Lower-case hex SHA-256 of the previous event's record value (or of the last checkpoint, or GENESIS_LINK). */
  readonly chainprev: string;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The chain id of a producer boot. The boot (a UUIDv7) never holds `/`, so the id splits at its last one. */
export function chainIdOf(instance: string, boot: string): string {
  return `${instance}/${boot}`;
}

export function splitChainId(chainId: string): { readonly instance: string; readonly boot: string } | undefined {
  const slash = chainId.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const boot = chainId.slice(slash + 1);
  return UUID_V7.test(boot) ? { instance: chainId.slice(0, slash), boot } : undefined;
}

export type ChainPositionRead =
  | { readonly kind: 'chained'; readonly position: ChainPosition }
  | { readonly kind: 'unchained' }
  | { readonly kind: 'malformed'; readonly detail: string };

/** Reads the chain attributes of a parsed event: all three, none (an event from before chaining), or a named fault. */
export function readChainPosition(event: Readonly<Record<string, unknown>>): ChainPositionRead {
  const id = event[CHAIN_ID_ATTRIBUTE];
  const seq = event[CHAIN_SEQUENCE_ATTRIBUTE];
  const prev = event[CHAIN_PREVIOUS_ATTRIBUTE];
  if (id === undefined && seq === undefined && prev === undefined) return { kind: 'unchained' };
  if (typeof id !== 'string' || splitChainId(id) === undefined) return { kind: 'malformed', detail: `${CHAIN_ID_ATTRIBUTE} must be "<instance>/<boot UUIDv7>"` };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return { kind: 'malformed', detail: `${CHAIN_SEQUENCE_ATTRIBUTE} must be an integer >= 1` };
  if (typeof prev !== 'string' || !SHA256_HEX.test(prev)) return { kind: 'malformed', detail: `${CHAIN_PREVIOUS_ATTRIBUTE} must be 64 lower-case hex digits` };
  return { kind: 'chained', position: { chainid: id, chainseq: seq, chainprev: prev } };
}
