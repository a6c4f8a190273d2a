import type { FailureGroupView } from '@authtrail/read-model';

/** A failure group with its series already loaded (empty when no bucket was asked for). */
export interface FailureGroupModel extends FailureGroupView {
  readonly series: readonly { readonly start: Date; readonly count: number }[];
}
