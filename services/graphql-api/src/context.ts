import type { QueryRunnerLike } from '@authtrail/read-model';
import type { Caller } from './auth/caller';
import type { Loaders } from './loaders';
import type { GraphqlServices } from './services';

/** Per operation: who calls, the read session of this operation, its DataLoaders. */
export interface GraphqlContext {
  readonly caller: Caller;
  readonly db: QueryRunnerLike;
  readonly loaders: Loaders;
  readonly services: GraphqlServices;
}
