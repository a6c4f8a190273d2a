// Projector processes of one consumer group, started as users start them
// (`node --import tsx services/projector/src/main.ts run`, the standalone environment), and what
// their own logs say about the partitions the group gave each of them.
import { spawnService, type SpawnedService } from '@authtrail/testing';
import { REPO_ROOT } from '../../../testdata/child-process';

export interface FleetEnvironment {
  readonly brokers: string;
  readonly databaseUrl: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly deadLetterTopic: string;
  readonly dataDir: string;
}

export interface ProjectorInstance {
  readonly name: string;
  readonly service: SpawnedService;
  /** The partitions (`topic/partition`) of its newest assignment, from its log; [] before the first. */
  assigned(): string[];
  /** How many assignments (or re-reads after a failed batch) it logged so far. */
  assignments(): number;
  /** Its log lines that are errors (pino level ≥ 50). */
  errors(): string[];
}

const RESUMING = 'resuming partitions from the Postgres checkpoints';

interface ResumeLine {
  readonly msg?: string;
  readonly starts?: readonly { topic: string; partition: number }[];
}

function logLines(service: SpawnedService): { line: string; json?: Record<string, unknown> }[] {
  return service
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return { line, json: JSON.parse(line) as Record<string, unknown> };
      } catch {
        return { line };
      }
    });
}

/** Starts one projector process of the group; resolves once it printed `projector ready`. */
export async function startProjectorProcess(name: string, env: FleetEnvironment): Promise<ProjectorInstance> {
  const service = spawnService({
    name,
    root: REPO_ROOT,
    script: 'services/projector/src/main.ts',
    args: ['run'],
    env: {
      KAFKA_BROKERS: env.brokers,
      DATABASE_URL: env.databaseUrl,
      PROJECTOR_GROUP_ID: env.groupId,
      PROJECTOR_TOPICS: env.topics.join(','),
      PROJECTOR_DEAD_LETTER_TOPIC: env.deadLetterTopic,
      AUTHTRAIL_DATA_DIR: env.dataDir,
      // info: the assignment lines this helper reads.
      AUTHTRAIL_LOG_LEVEL: 'info',
    },
  });
  const resumes = (): ResumeLine[] => logLines(service).flatMap(({ json }) => (json && typeof json['msg'] === 'string' && json['msg'].startsWith(RESUMING) ? [json as ResumeLine] : []));
  const instance: ProjectorInstance = {
    name,
    service,
    assigned: () => [...(resumes().at(-1)?.starts ?? [])].map((s) => `${s.topic}/${s.partition}`).sort(),
    assignments: () => resumes().length,
    errors: () => logLines(service).flatMap(({ line, json }) => (json && typeof json['level'] === 'number' && json['level'] >= 50 ? [line] : [])),
  };
  await service.waitForOutput('projector ready', 120_000);
  return instance;
}

/**
 * True when the live instances' newest assignments split `partitions` between them: each
 * partition held by exactly one, and every instance holding at least one.
 */
export function assignmentSettled(instances: readonly ProjectorInstance[], partitions: readonly string[]): boolean {
  const held = instances.map((i) => i.assigned());
  if (held.some((h) => h.length === 0)) return false;
  const all = held.flat().sort();
  return all.length === partitions.length && all.every((p, i) => p === [...partitions].sort()[i]);
}

/** The last lines of every instance's output, for a failure message. */
export function fleetDiagnostics(instances: readonly ProjectorInstance[]): string {
  return instances.map((i) => `--- ${i.name}\n${i.service.output().slice(-3000)}`).join('\n');
}
