import { DECISION_EVENT_TYPE, decidingStrategy, type AuthtrailEvent } from '@authtrail/events';
import type { SinkFilter } from './siem.config';

/** Whether an event passes a sink's filter. Pure. Decision criteria never apply to control events. */
export function passesFilter(event: AuthtrailEvent, filter: SinkFilter): boolean {
  if (event.type !== DECISION_EVENT_TYPE) return filter.control;
  const data = event.data;
  if (filter.decisions && !filter.decisions.includes(data.decision)) return false;
  if (filter.reasons && !filter.reasons.includes(data.reason)) return false;
  if (filter.strategies) {
    const strategy = decidingStrategy(data);
    if (strategy === undefined || !filter.strategies.includes(strategy)) return false;
  }
  return true;
}
