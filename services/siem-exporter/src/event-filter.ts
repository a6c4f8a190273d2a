import { DECISION_EVENT_TYPE, decidingStrategy, PRODUCER_STATUS_EVENT_TYPE, type AuthtrailEvent } from '@authtrail/events';
import type { SinkFilter } from './siem.config';

/**
 * Whether an event passes a sink's filter. Pure. Decision criteria never apply to control events.
 * Producer heartbeats (`running`) never leave: they say only that nothing happened, every 30 s
 * per instance (liveness is /metrics' job). `stopped` and `lost` are control events like others:
 * a `lost` boot is an audit gap a SIEM should see.
 */
export function passesFilter(event: AuthtrailEvent, filter: SinkFilter): boolean {
  if (event.type === PRODUCER_STATUS_EVENT_TYPE && event.data.state === 'running') return false;
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
