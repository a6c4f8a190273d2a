import { TOPICS, type ControlEvent } from '../decision.event';
import { chainPositionOf } from './chain-position';
import { summarizeControl } from './control-summary';
import { compact } from './field-selection';
import { OCSF_VERSION, type OcsfBaseEvent } from './ocsf.types';
import type { SiemMapOptions } from './siem-options';

// OCSF 1.8.0 has no class for "policy applied" or "credential revoked" in the IAM subset
// authtrail ships; the Base Event (class 0) is the schema's own answer for such events:
// activity 99 "Other" with the specific name in `activity_name` (sibling convention). Producer
// status events (heartbeat, stopped, lost) are Base Events too: OCSF has no "audit source" class here.
const OTHER = 99;

/** A control event as an OCSF Base Event. Pure. */
export function toOcsfControl(event: ControlEvent, options: SiemMapOptions): OcsfBaseEvent {
  const summary = summarizeControl(event, options.drop);
  return compact({
    activity_id: OTHER,
    activity_name: summary.title,
    category_uid: 0 as const,
    category_name: 'Uncategorized',
    class_uid: 0 as const,
    class_name: 'Base Event',
    type_uid: OTHER,
    type_name: `Base Event: ${summary.title}`,
    severity_id: summary.severity.id,
    severity: summary.severity.name,
    time: Date.parse(event.time),
    timezone_offset: 0 as const,
    message: summary.message,
    metadata: {
      version: OCSF_VERSION,
      product: { name: options.product.name, vendor_name: options.product.vendorName, version: options.product.version },
      uid: event.id,
      log_name: TOPICS.control,
      original_time: event.time,
      event_code: summary.action,
    },
    unmapped: { authtrail: compact({ type: event.type, actor: summary.actor, ...summary.details, chain: chainPositionOf(event) }) },
  });
}
