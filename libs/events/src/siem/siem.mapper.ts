import { DECISION_EVENT_TYPE, type AuthtrailEvent } from '../decision.event';
import { toEcsControl, toEcsDecision } from './ecs.mapper';
import type { EcsDocument } from './ecs.types';
import { toOcsfControl } from './ocsf-control.mapper';
import { toOcsfAuthentication } from './ocsf-authentication.mapper';
import type { OcsfDocument } from './ocsf.types';
import type { SiemMapOptions } from './siem-options';

/** Any authtrail event as OCSF: decisions as Authentication (3002), control events as Base Event (0). */
export function toOcsf(event: AuthtrailEvent, options: SiemMapOptions): OcsfDocument {
  return event.type === DECISION_EVENT_TYPE ? toOcsfAuthentication(event, options) : toOcsfControl(event, options);
}

/** Any authtrail event as one ECS document. */
export function toEcs(event: AuthtrailEvent, options: SiemMapOptions): EcsDocument {
  return event.type === DECISION_EVENT_TYPE ? toEcsDecision(event, options) : toEcsControl(event, options);
}
