// Runs `k8s-manifests render DIR…` (../main.go): kustomize renders each kustomization, Kubernetes'
// Go types decode every object strictly, apimachinery validates names, labels and selectors.
import { spawn } from 'node:child_process';

/** One rendered object: as the typed Go struct re-encoded it, with the errors found. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly errors: readonly string[];
  /** Absent when the object did not decode into a Kubernetes type at all. */
  readonly object?: KubeObject;
}

export interface KustomizationResult {
  readonly dir: string;
  /** The kustomization could not be rendered. */
  readonly error?: string;
  readonly objects: readonly RenderedObject[];
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly [field: string]: unknown;
}

export interface RenderRun {
  /** 0: every object clean; 1: errors (listed in `results`). */
  readonly exitCode: number;
  readonly results: readonly KustomizationResult[];
  readonly stderr: string;
}

export function render(binary: string, dirs: readonly string[]): Promise<RenderRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(binary, ['render', ...dirs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-8000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) return reject(new Error(`k8s-manifests exited ${code}: ${err}`));
      resolveRun({ exitCode: code, results: JSON.parse(out) as KustomizationResult[], stderr: err });
    });
  });
}
