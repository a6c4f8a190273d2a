// How each authtrail strategy shows up in OCSF `auth_protocol_id` (dictionary enum of OCSF 1.8.0)
// and in ECS. OCSF has no id for bearer tokens, client certificates or JWTs, so those are
// 99 "Other" with a descriptive `auth_protocol` (the sibling convention for 99).

export interface AuthProtocol {
  readonly id: number;
  readonly name: string;
}

const PROTOCOLS: Readonly<Record<string, AuthProtocol>> = {
  'static-token': { id: 99, name: 'Bearer Token' },
  'bootstrap-token': { id: 99, name: 'Kubernetes Bootstrap Token' },
  'basic-auth': { id: 11, name: 'Basic Authentication' },
  x509: { id: 99, name: 'X.509 Client Certificate' },
  'service-account': { id: 99, name: 'Kubernetes Service Account JWT' },
  oidc: { id: 4, name: 'OpenID' },
  anonymous: { id: 99, name: 'Anonymous' },
};

const UNKNOWN: AuthProtocol = { id: 0, name: 'Unknown' };

/** Protocol of the strategy that decided; `Unknown` when none did (e.g. no credentials at all). */
export function authProtocolOf(strategy: string | undefined): AuthProtocol {
  return (strategy !== undefined ? PROTOCOLS[strategy] : undefined) ?? UNKNOWN;
}
