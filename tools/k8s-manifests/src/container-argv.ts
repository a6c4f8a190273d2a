// Does a container's command line reach the program the image runs? Checked against the image's
// ENTRYPOINT (dockerfile.ts) and the flags the services' main.ts accept.
import type { ImageProcess } from './dockerfile';

export interface ContainerCommand {
  readonly name: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}

/** Kubernetes' rule: `command` replaces ENTRYPOINT (CMD dropped), `args` replace CMD. */
export function effectiveArgv(image: ImageProcess, container: ContainerCommand): readonly string[] | undefined {
  if (container.command) return [...container.command, ...(container.args ?? [])];
  if (!image.entrypoint) return undefined;
  return [...image.entrypoint, ...(container.args ?? image.cmd ?? [])];
}

/** Flags with a value (`--config FILE` or `--config=FILE`) that the program takes. */
export interface AcceptedFlags {
  readonly withValue: readonly string[];
}

/**
 * Problems, one sentence each; empty when the container runs `node <script> <flags>` with the
 * image's own ENTRYPOINT and only flags the program accepts.
 */
export function argvProblems(image: ImageProcess, container: ContainerCommand, accepted: AcceptedFlags): string[] {
  const problems: string[] = [];
  if (container.command) problems.push(`container ${container.name} sets command ${JSON.stringify(container.command)}: it replaces the image's ENTRYPOINT`);
  if (!image.entrypoint) {
    problems.push(`the image declares no ENTRYPOINT in its final stage: it inherits ${image.base}'s, and args ${JSON.stringify(container.args ?? [])} replace its CMD`);
    return problems;
  }
  const entrypoint = image.entrypoint;
  if (entrypoint[0] !== 'node') {
    problems.push(`the image's ENTRYPOINT ${JSON.stringify(entrypoint)} does not run node`);
    return problems;
  }
  // node's own options come before the script; the first word that is not one is the script.
  const script = entrypoint.slice(1).find((word) => !word.startsWith('-'));
  if (script === undefined) {
    problems.push(`the image's ENTRYPOINT ${JSON.stringify(entrypoint)} names no script: node would take ${JSON.stringify(container.args ?? image.cmd ?? [])} as its own options`);
    return problems;
  }
  const args = container.args ?? image.cmd ?? [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const flag = arg.split('=', 1)[0] ?? arg;
    if (!arg.startsWith('-')) {
      problems.push(`argument ${JSON.stringify(arg)} is not a flag the program accepts`);
    } else if (!accepted.withValue.includes(flag)) {
      problems.push(`flag ${flag} is not one the program accepts (${accepted.withValue.join(', ')})`);
    } else if (!arg.includes('=')) {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) problems.push(`flag ${flag} has no value`);
      i++;
    }
  }
  return problems;
}
