/** How long a handed-out port stays reserved machine-wide. */
export declare const RESERVATION_MS: number;
/** `count` different free TCP ports that no other picker on the machine gets within RESERVATION_MS. */
export declare function freePorts(count?: number): Promise<number[]>;
export declare function freePort(): Promise<number>;
