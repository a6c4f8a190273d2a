export interface RecordedProcess {
  kind: string;
  /** Says what it is in the reaper's log line, e.g. "Kafka broker at 127.0.0.1:10234". */
  label: string;
  /** A direct child of the registering process. */
  pid?: number;
  /** A PostgreSQL cluster directory: its postmaster is found through postmaster.pid. */
  postgresDataDir?: string;
  /** A temporary directory deleted when the leftover is reaped. */
  removeDir?: string;
  stopSignal?: NodeJS.Signals;
}
export declare function registerProcess(entry: RecordedProcess): { unregister(): void };
export declare function reapLeftovers(options?: { log?: (line: string) => void }): Promise<Array<{ kind: string; label: string; pid: number }>>;
