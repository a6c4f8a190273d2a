import type { AuthtrailEvent } from '@authtrail/events';

/**
 * Headers of a SIEM view record: the source's `ce_*` headers kept (and filled from the event
 * when the producer did not set them), so the record reads as a CloudEvent in binary mode whose
 * data is the OCSF or ECS document. `content-type` says what the value now is.
 */
export function outputHeaders(event: AuthtrailEvent, source: Readonly<Record<string, string>>, contentType: string): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(source).filter(([name]) => name.startsWith('ce_')));
  return {
    ce_specversion: event.specversion,
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_time: event.time,
    ...(event.subject !== undefined ? { ce_subject: event.subject } : {}),
    ...kept,
    'content-type': contentType,
  };
}
