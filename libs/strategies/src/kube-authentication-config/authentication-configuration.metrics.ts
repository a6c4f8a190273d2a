// kube-apiserver's reload metrics of the authentication config
// (k8s.io/apiserver pkg/server/options/authenticationconfig/metrics), same names, help, labels
// and values, on the registry the service passes in (authn's /metrics):
//
//   apiserver_authentication_config_controller_automatic_reloads_total{status, apiserver_id_hash}
//   apiserver_authentication_config_controller_automatic_reload_last_timestamp_seconds{status, apiserver_id_hash}
//   apiserver_authentication_config_controller_last_config_info{apiserver_id_hash, hash} 1
//
// `apiserver_id_hash` is `sha256:<hex>` of the authn instance name (kube: of the API server id);
// `hash` is `sha256:<hex>` of the file content in force. Values are read from the controller at
// scrape time: it owns the numbers.
import { createHash } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReloadStatus, ReloadStatusLabel } from './authentication-configuration.controller';

const PREFIX = 'apiserver_authentication_config_controller';
const STATUSES: readonly ReloadStatusLabel[] = ['failure', 'success'];

export function registerAuthenticationConfigurationMetrics(registry: Registry, source: { status(): ReloadStatus }, instance: string): void {
  const idHash = sha256(instance);
  new Counter({
    name: `${PREFIX}_automatic_reloads_total`,
    help: '[BETA] Total number of automatic reloads of authentication configuration split by status and apiserver identity.',
    labelNames: ['status', 'apiserver_id_hash'] as const,
    registers: [registry],
    collect() {
      const { reloads } = source.status();
      this.reset();
      for (const status of STATUSES) if (reloads[status] > 0) this.labels(status, idHash).inc(reloads[status]);
    },
  });
  new Gauge({
    name: `${PREFIX}_automatic_reload_last_timestamp_seconds`,
    help: '[BETA] Timestamp of the last automatic reload of authentication configuration split by status and apiserver identity.',
    labelNames: ['status', 'apiserver_id_hash'] as const,
    registers: [registry],
    collect() {
      const { lastReloadSeconds } = source.status();
      this.reset();
      for (const status of STATUSES) {
        const seconds = lastReloadSeconds[status];
        if (seconds !== undefined) this.labels(status, idHash).set(seconds);
      }
    },
  });
  new Gauge({
    name: `${PREFIX}_last_config_info`,
    help: '[ALPHA] Information about the last applied authentication configuration with hash as label, split by apiserver identity.',
    labelNames: ['apiserver_id_hash', 'hash'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.labels(idHash, source.status().configHash).set(1);
    },
  });
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
