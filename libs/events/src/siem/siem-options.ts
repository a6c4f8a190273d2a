// What every SIEM mapper needs besides the event: who the product is, and which fields the
// operator does not want to leave authtrail (privacy field selection, DESIGN §4 / issue #10).

/** Fields an operator may drop from SIEM output. Hashes and fingerprints are always kept. */
export const DROPPABLE_FIELDS = ['username', 'uid', 'groups', 'extra', 'sourceIp', 'userAgent', 'path', 'message'] as const;
export type DroppableField = (typeof DROPPABLE_FIELDS)[number];

export interface SiemProduct {
  readonly name: string;
  readonly vendorName: string;
  readonly version: string;
}

export interface SiemMapOptions {
  readonly product: SiemProduct;
  /** Fields removed from the output; `username` also removes `claimedUsername` and credential subjects, `sourceIp` also `forwardedFor`. */
  readonly drop: readonly DroppableField[];
}

export const DEFAULT_SIEM_PRODUCT: SiemProduct = { name: 'authtrail', vendorName: 'authtrail', version: '0.1.0' };

export const DEFAULT_SIEM_MAP_OPTIONS: SiemMapOptions = { product: DEFAULT_SIEM_PRODUCT, drop: [] };

/** The event fields after field selection: what both mappers read, so a dropped field cannot leak through either. */
export interface SelectedFields {
  readonly username?: string;
  readonly claimedUsername?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
  readonly sourceIp?: string;
  readonly forwardedFor?: readonly string[];
  readonly userAgent?: string;
  readonly path?: string;
  readonly message?: string;
  /** JWT `sub` or certificate subject DN: they name the user too, so they go with `username`. */
  readonly credentialSubject?: string;
  readonly certificateSubject?: string;
}
