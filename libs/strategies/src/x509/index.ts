export { configSchema, X509_DEFAULTS, type X509Config } from './x509.config';
export { createX509Strategy as create, CREDENTIAL_ID_EXTRA } from './x509.strategy';
export { parsePemCertificates, type PemCertificatesResult } from './pem-certificates.parser';
export { verifyClientChain, type ChainCheck, type TrustAnchors } from './chain-verify';
export { parseCrl, type RevocationList } from './crl.parser';
export const id = 'x509';
