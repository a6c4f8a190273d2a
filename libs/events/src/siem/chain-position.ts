import type { AuthtrailEvent } from '../decision.event';

/** An event's place in its producer's integrity chain, as the SIEM documents carry it (docs/siem.md). */
export interface SiemChainPosition {
  readonly id: string;
  readonly sequence: number;
  readonly previous: string;
}

/** Undefined for an event published before chaining. */
export function chainPositionOf(event: AuthtrailEvent): SiemChainPosition | undefined {
  const { chainid, chainseq, chainprev } = event;
  return chainid !== undefined && chainseq !== undefined && chainprev !== undefined ? { id: chainid, sequence: chainseq, previous: chainprev } : undefined;
}
