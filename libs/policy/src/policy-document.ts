// The policy document (DESIGN §7) as operators write it, and its compiled form.

export type StrategyMode = 'enforce' | 'warn' | 'disabled';

export interface StrategyRulesDocument {
  /** enforce (default): violations deny. warn: the strategy's violations are recorded, not enforced. disabled: its allows become denials. */
  readonly mode?: StrategyMode;
  /** Bearer and basic credentials only over TLS (the hop, or a trusted proxy's X-Forwarded-Proto). */
  readonly requireTls?: boolean;
  /** bootstrap-token: the Secret must carry an expiration. */
  readonly requireExpiration?: boolean;
  /** x509: longest allowed notAfter − notBefore, e.g. 90d. */
  readonly maxValidity?: string;
  /** JWT strategies: longest allowed exp − iat, e.g. 1h. */
  readonly maxTokenLifetime?: string;
  /** Allowed client networks. Not applied to TokenReview, which only sees the API server's address. */
  readonly allowedSourceCidrs?: readonly string[];
  readonly denyGroups?: readonly string[];
  readonly denyUsernames?: readonly string[];
  /** basic-auth: refuse passwords stored in plaintext (they are always flagged with a warning). */
  readonly rejectPlaintextPasswords?: boolean;
}

export interface ThrottleRuleDocument {
  /** Failures within `window` that start a block. */
  readonly failures: number;
  readonly window: string;
  readonly block: string;
}

export interface UserValidationRuleDocument {
  /** CEL over `user` ({username, uid, groups, extra}); false denies, as Kubernetes `userValidationRules`. */
  readonly expression: string;
  readonly message: string;
}

export interface PolicyDocument {
  readonly strategies?: Readonly<Record<string, StrategyRulesDocument>>;
  readonly throttle?: {
    readonly perSourceIp?: ThrottleRuleDocument;
    readonly perCredential?: ThrottleRuleDocument;
  };
  readonly userValidationRules?: readonly UserValidationRuleDocument[];
}

export interface CompiledStrategyRules {
  readonly mode: StrategyMode;
  readonly requireTls: boolean;
  readonly requireExpiration: boolean;
  readonly maxValidityMs?: number;
  readonly maxTokenLifetimeMs?: number;
  readonly allowedSourceCidrs?: readonly ParsedCidr[];
  readonly denyGroups: ReadonlySet<string>;
  readonly denyUsernames: ReadonlySet<string>;
  readonly rejectPlaintextPasswords: boolean;
}

export interface CompiledThrottleRule {
  readonly failures: number;
  readonly windowMs: number;
  readonly blockMs: number;
}

export interface CompiledUserValidationRule {
  readonly expression: string;
  readonly message: string;
  readonly evaluate: (context: { user: Record<string, unknown> }) => unknown;
}

/** A parsed, validated policy: what evaluation works on. */
export interface CompiledPolicy {
  readonly version: number;
  readonly document: PolicyDocument;
  readonly strategies: ReadonlyMap<string, CompiledStrategyRules>;
  readonly throttle: { readonly perSourceIp?: CompiledThrottleRule; readonly perCredential?: CompiledThrottleRule };
  readonly userValidationRules: readonly CompiledUserValidationRule[];
}

/** An address range, kept as ipaddr.js parsed form. */
export interface ParsedCidr {
  readonly text: string;
  readonly contains: (ip: string) => boolean;
}
