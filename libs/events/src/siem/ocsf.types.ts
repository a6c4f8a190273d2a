// The part of OCSF 1.8.0 authtrail emits: the Authentication class (3002) for decisions and the
// Base Event (0) for control events. Checked in the unit tests against the OCSF 1.8.0 subset
// vendored in testdata/ocsf.

export const OCSF_VERSION = '1.8.0';
export const OCSF_AUTHENTICATION_CLASS_UID = 3002;
export const OCSF_IAM_CATEGORY_UID = 3;

export interface OcsfProduct {
  readonly name: string;
  readonly vendor_name: string;
  readonly version: string;
}

export interface OcsfMetadata {
  readonly version: typeof OCSF_VERSION;
  readonly product: OcsfProduct;
  /** The CloudEvent id: SIEMs deduplicate on it. */
  readonly uid: string;
  readonly correlation_uid?: string;
  readonly log_name: string;
  readonly original_time: string;
  readonly sequence?: number;
  readonly event_code?: string;
}

export interface OcsfGroup {
  readonly name: string;
}

export interface OcsfUser {
  readonly name?: string;
  readonly uid?: string;
  readonly type_id: number;
  readonly type: string;
  readonly groups?: readonly OcsfGroup[];
  /** Deprecated in 1.6.0 in favour of `programmatic_credentials`, still what most SIEM rules read. */
  readonly credential_uid?: string;
  readonly programmatic_credentials?: readonly { readonly uid: string; readonly type: string }[];
}

export interface OcsfNetworkEndpoint {
  readonly ip: string;
  readonly intermediate_ips?: readonly string[];
}

export interface OcsfHttpRequest {
  readonly http_method?: string;
  readonly url?: { readonly path: string };
  readonly user_agent?: string;
  readonly x_forwarded_for?: readonly string[];
}

export interface OcsfCertificate {
  readonly issuer: string;
  readonly serial_number: string;
  readonly subject?: string;
  readonly created_time: number;
  readonly expiration_time: number;
  readonly fingerprints: readonly { readonly algorithm_id: number; readonly algorithm: string; readonly value: string }[];
}

interface OcsfBase {
  readonly activity_id: number;
  readonly activity_name: string;
  readonly category_uid: number;
  readonly category_name: string;
  readonly class_uid: number;
  readonly class_name: string;
  readonly type_uid: number;
  readonly type_name: string;
  readonly severity_id: number;
  readonly severity: string;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly timezone_offset: 0;
  readonly message?: string;
  readonly metadata: OcsfMetadata;
  readonly unmapped?: Readonly<Record<string, unknown>>;
}

export interface OcsfAuthentication extends OcsfBase {
  readonly class_uid: typeof OCSF_AUTHENTICATION_CLASS_UID;
  readonly category_uid: typeof OCSF_IAM_CATEGORY_UID;
  readonly status_id: 1 | 2;
  readonly status: 'Success' | 'Failure';
  readonly status_code: string;
  readonly status_detail: string;
  readonly auth_protocol_id: number;
  readonly auth_protocol: string;
  readonly logon_type_id: number;
  readonly logon_type: string;
  readonly user: OcsfUser;
  readonly service: { readonly name: string; readonly uid?: string; readonly labels?: readonly string[] };
  readonly src_endpoint?: OcsfNetworkEndpoint;
  readonly http_request?: OcsfHttpRequest;
  readonly certificate?: OcsfCertificate;
  readonly is_cleartext?: true;
  readonly is_mfa?: true;
}

/** Control events (policy applied, credential revoked, revocation lifted) as OCSF Base Events. */
export interface OcsfBaseEvent extends OcsfBase {
  readonly class_uid: 0;
  readonly category_uid: 0;
}

export type OcsfDocument = OcsfAuthentication | OcsfBaseEvent;
