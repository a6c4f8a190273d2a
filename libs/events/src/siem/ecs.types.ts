// The Elastic Common Schema fields authtrail writes. Authtrail's own fields live under the
// capitalised `Authtrail` namespace, as ECS asks custom fields to (they never collide with
// future ECS fields, which are lower-case).

export const ECS_VERSION = '8.17.0';

export interface EcsEvent {
  readonly kind: 'event';
  readonly category: readonly ('authentication' | 'configuration' | 'iam' | 'process')[];
  readonly type: readonly ('start' | 'info' | 'change' | 'deletion' | 'end')[];
  readonly outcome?: 'success' | 'failure';
  readonly reason?: string;
  readonly id: string;
  readonly action: string;
  readonly module: 'authtrail';
  readonly dataset: 'authtrail.decision' | 'authtrail.control';
  readonly severity: number;
  readonly created?: string;
  /** Nanoseconds, as ECS defines it. */
  readonly duration?: number;
  readonly provider?: string;
}

export interface EcsDocument {
  readonly '@timestamp': string;
  readonly message: string;
  readonly ecs: { readonly version: typeof ECS_VERSION };
  readonly event: EcsEvent;
  readonly observer: { readonly vendor: string; readonly product: string; readonly version: string; readonly type: 'authentication' };
  readonly service?: { readonly name: string; readonly node?: { readonly name: string } };
  readonly user?: { readonly name?: string; readonly id?: string; readonly roles?: readonly string[]; readonly hash?: string };
  readonly source?: { readonly ip: string; readonly address: string };
  readonly user_agent?: { readonly original: string };
  readonly http?: { readonly request?: { readonly method: string }; readonly response?: { readonly status_code: number } };
  readonly url?: { readonly path: string };
  readonly tls?: { readonly established: boolean; readonly client?: { readonly x509?: Readonly<Record<string, unknown>>; readonly hash?: { readonly sha256: string } } };
  readonly related?: { readonly user?: readonly string[]; readonly ip?: readonly string[]; readonly hash?: readonly string[] };
  readonly Authtrail: Readonly<Record<string, unknown>>;
}
