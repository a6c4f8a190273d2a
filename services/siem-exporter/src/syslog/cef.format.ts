// ArcSight Common Event Format, as carried in the syslog message by many SIEM collectors:
// `CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension`.
import { DECISION_EVENT_TYPE, selectFields, severityOf, summarizeControl, type AuthtrailEvent, type DroppableField, type SiemProduct } from '@authtrail/events';

/** Header fields escape `\` and `|`. */
export function escapeCefHeader(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

/** Extension values escape `\` and `=`, and newlines become `\n`. */
export function escapeCefValue(value: string): string {
  return value.replace(/[\\=]/g, (c) => `\\${c}`).replace(/\r?\n|\r/g, '\\n');
}

// OCSF severity 1-4 on CEF's 0-10 scale: Low 3, Medium 5, High 8.
const CEF_SEVERITY: Readonly<Record<number, number>> = { 1: 1, 2: 3, 3: 5, 4: 8 };

export function cefMessage(event: AuthtrailEvent, product: SiemProduct, drop: readonly DroppableField[]): string {
  const head = (signature: string, name: string, severity: number): string =>
    ['CEF:0', product.vendorName, product.name, product.version, signature, name, String(severity)].map((v, i) => (i === 0 ? v : escapeCefHeader(v))).join('|');
  const ext = (pairs: [string, string | number | undefined][]): string =>
    pairs.filter((p): p is [string, string | number] => p[1] !== undefined).map(([k, v]) => `${k}=${escapeCefValue(String(v))}`).join(' ');

  if (event.type !== DECISION_EVENT_TYPE) {
    const summary = summarizeControl(event, drop);
    return `${head(`authtrail:${summary.action}`, summary.title, CEF_SEVERITY[summary.severity.id] ?? 1)}|${ext([['rt', Date.parse(event.time)], ['externalId', event.id], ['suser', summary.actor], ['msg', summary.message]])}`;
  }
  const data = event.data;
  const fields = selectFields(data, drop);
  const allowed = data.decision === 'allow';
  return `${head(`authtrail:authn:${data.decision}`, allowed ? 'Authentication succeeded' : `Authentication failed: ${data.reason}`, CEF_SEVERITY[severityOf(data).id] ?? 5)}|${ext([
    ['rt', Date.parse(event.time)],
    ['externalId', event.id],
    ['outcome', allowed ? 'success' : 'failure'],
    ['reason', data.reason],
    ['suser', fields.username ?? fields.claimedUsername],
    ['suid', fields.uid],
    ['src', fields.sourceIp],
    ['requestMethod', data.request.method],
    ['request', fields.path],
    ['requestClientApplication', fields.userAgent],
    ['app', data.request.endpoint],
    ['cs1Label', 'strategy'],
    ['cs1', data.strategy],
    ['cs2Label', 'credentialFingerprint'],
    ['cs2', data.credential?.fingerprint],
    ['cs3Label', 'claimedUsernameHash'],
    ['cs3', data.claimedUsernameHash],
    ['cn1Label', 'httpStatus'],
    ['cn1', data.httpStatus],
  ])}`;
}
