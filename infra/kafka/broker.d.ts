export declare const KAFKA_VERSION: string;
export interface KafkaBrokerOptions {
  /** Log directory parent; reuse it (with the same ports) to restart a stopped broker with its topics. */
  dataDir?: string;
  port?: number;
  controllerPort?: number;
  log?: (line: string) => void;
  timeoutMs?: number;
}
export interface RunningKafkaBroker {
  brokers: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  pid: number;
  version: string;
  stop(options?: { timeoutMs?: number }): Promise<void>;
  destroy(): Promise<void>;
}
export declare function ensureKafkaJars(log?: (line: string) => void): string;
export declare function startKafkaBroker(options?: KafkaBrokerOptions): Promise<RunningKafkaBroker>;
export declare function waitForKafka(brokers: string | string[], options?: { timeoutMs?: number }): Promise<void>;
/** A free TCP port no other picker on this machine gets for a while (libs/testing/harness/free-ports.js). */
export declare function freePort(): Promise<number>;
/** `count` different free TCP ports, reserved the same way. */
export declare function freePorts(count?: number): Promise<number[]>;
