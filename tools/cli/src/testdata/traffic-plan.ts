// The input of fill-read-model.ts: what traffic to send through the real authn code. Test
// fixtures of other projects (which may not import the services) write it as JSON; this module
// checks it once, with errors that name the offending path, so a typo in a fixture is a clear
// failure rather than a silently different dataset.
import { CREDENTIAL_REVOKED_EVENT_TYPE, POLICY_APPLIED_EVENT_TYPE, REVOCATION_LIFTED_EVENT_TYPE } from '@authtrail/events';
import type { PlannedControlType, TrafficPlan } from '@authtrail/testing';

const CONTROL_TYPES = {
  'policy-applied': POLICY_APPLIED_EVENT_TYPE,
  'credential-revoked': CREDENTIAL_REVOKED_EVENT_TYPE,
  'revocation-lifted': REVOCATION_LIFTED_EVENT_TYPE,
} as const satisfies Record<PlannedControlType, string>;

export function controlEventType(type: PlannedControlType): (typeof CONTROL_TYPES)[PlannedControlType] {
  return CONTROL_TYPES[type];
}

type Issues = string[];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function checkTime(value: unknown, path: string, issues: Issues, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) issues.push(`${path}: an RFC 3339 time is required`);
}

function checkRequest(value: unknown, path: string, issues: Issues): void {
  if (!isRecord(value)) return void issues.push(`${path}: an object is required`);
  const known = new Set(['time', 'method', 'url', 'headers', 'body', 'remoteAddress', 'delivery']);
  for (const key of Object.keys(value)) if (!known.has(key)) issues.push(`${path}.${key}: unknown key`);
  checkTime(value['time'], `${path}.time`, issues, false);
  if (typeof value['method'] !== 'string' || value['method'].length === 0) issues.push(`${path}.method: a method is required`);
  if (typeof value['url'] !== 'string' || !value['url'].startsWith('/')) issues.push(`${path}.url: a path starting with / is required`);
  const headers = value['headers'];
  if (headers !== undefined && (!isRecord(headers) || Object.values(headers).some((h) => typeof h !== 'string'))) issues.push(`${path}.headers: string values are required`);
  if (value['remoteAddress'] !== undefined && typeof value['remoteAddress'] !== 'string') issues.push(`${path}.remoteAddress: a string is required`);
  const delivery = value['delivery'];
  if (delivery !== undefined && delivery !== 'delivered' && delivery !== 'lost' && delivery !== 'dropped') issues.push(`${path}.delivery: one of delivered, lost, dropped`);
}

/** The plan, or an error listing every problem with its path. */
export function parseTrafficPlan(value: unknown): TrafficPlan {
  const issues: Issues = [];
  if (!isRecord(value)) throw new Error('plan: a JSON object is required');
  for (const key of Object.keys(value)) if (!['configFile', 'busDir', 'boots', 'control'].includes(key)) issues.push(`plan.${key}: unknown key`);
  if (typeof value['configFile'] !== 'string' || value['configFile'].length === 0) issues.push('plan.configFile: a config file path is required');
  if (value['busDir'] !== undefined && typeof value['busDir'] !== 'string') issues.push('plan.busDir: a directory path is required');
  const boots = value['boots'];
  if (!Array.isArray(boots)) issues.push('plan.boots: a list of boots is required');
  else {
    boots.forEach((boot, b) => {
      if (!isRecord(boot) || !Array.isArray(boot['requests'])) return void issues.push(`plan.boots[${b}].requests: a list is required`);
      for (const key of Object.keys(boot)) if (key !== 'requests') issues.push(`plan.boots[${b}].${key}: unknown key`);
      boot['requests'].forEach((request, r) => checkRequest(request, `plan.boots[${b}].requests[${r}]`, issues));
    });
  }
  const control = value['control'];
  if (control !== undefined && !Array.isArray(control)) issues.push('plan.control: a list is required');
  if (Array.isArray(control)) {
    control.forEach((event, i) => {
      const path = `plan.control[${i}]`;
      if (!isRecord(event)) return void issues.push(`${path}: an object is required`);
      checkTime(event['time'], `${path}.time`, issues, true);
      if (typeof event['type'] !== 'string' || !(event['type'] in CONTROL_TYPES)) issues.push(`${path}.type: one of ${Object.keys(CONTROL_TYPES).join(', ')}`);
      if (!isRecord(event['data'])) issues.push(`${path}.data: an object is required`);
    });
  }
  if (issues.length > 0) throw new Error(`invalid traffic plan:\n  ${issues.join('\n  ')}`);
  return value as unknown as TrafficPlan;
}
