// The traffic plan of tools/cli's fill-read-model script: what requests to send through the
// real authn code so query tests read a read model filled by the production path. The types
// live here because both sides are test code that may not import each other: the services'
// fixtures (which may not import tools/cli) write plans, the script (tools/cli) reads them.

/** What happens to the decision event of one request after authn handed it to the bus. */
export type PlannedDelivery =
  /** Published normally (the default). */
  | 'delivered'
  /** Accepted by the bus and never stored: lost in transit (a sequence gap the producer does not know about). */
  | 'lost'
  /** Refused by the bus as full (`{ dropped: true }`): the producer's own drop, which it counts. */
  | 'dropped';

export interface PlannedRequest {
  /** The decision time authn sees (its clock is set to this before the request); absent: the real clock. */
  readonly time?: string;
  readonly method: string;
  /** Path and query, e.g. `/v1/authenticate`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON value (sent as JSON) or a string (sent as is). */
  readonly body?: unknown;
  /** The TCP peer address (default 127.0.0.1). */
  readonly remoteAddress?: string;
  readonly delivery?: PlannedDelivery;
}

/** One authn process start: a new boot, `sequence` from 1, stopped gracefully at the end. */
export interface PlannedBoot {
  readonly requests: readonly PlannedRequest[];
}

/** The control events a plan may publish after its boots (the GraphQL mutations' kinds). */
export type PlannedControlType = 'policy-applied' | 'credential-revoked' | 'revocation-lifted';

/** A control event published (with the libs/events builder) after every boot stopped. */
export interface PlannedControlEvent {
  readonly time: string;
  readonly type: PlannedControlType;
  /** The event's `data`, as the GraphQL mutations would publish it. */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface TrafficPlan {
  /** An authtrail config file (authn strategies, fingerprint keys, trusted proxies, dataDir). */
  readonly configFile: string;
  /**
   * Where the in-process bus keeps its topics between runs, so a second run appends after the
   * first and the projector resumes from its checkpoints. Default: the config's dataDir.
   */
  readonly busDir?: string;
  readonly boots: readonly PlannedBoot[];
  readonly control?: readonly PlannedControlEvent[];
}

/** What the script prints: per boot, per request, the HTTP status and the decision id (`X-Authtrail-Decision-Id`). */
export interface FillResult {
  readonly boots: readonly (readonly { readonly status: number; readonly decisionId: string | null }[])[];
}
