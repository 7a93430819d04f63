// The hub's TLS certificate. Issuing one is random (a new key), so the reconciler keeps the current one while
// it still fits: issued by the device CA, naming every SAN, and more than RENEW_BEFORE_DAYS from expiry.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { issueServerCertificate, type KeyPair } from '../../manifest/index.js';
import { HUB } from '../plan/names.js';

export const HUB_CERT_VALIDITY_DAYS = 365;
export const RENEW_BEFORE_DAYS = 30;
const DAY_MS = 86_400_000;

/** True when `pair` is issued by `caCert`, matches its key, names every one of `names` and is not near expiry. */
export function isHubCertificateCurrent(
  pair: Partial<KeyPair>,
  caCert: string,
  names: readonly string[],
  now: Date,
): boolean {
  if (!pair.cert || !pair.key) return false;
  try {
    const cert = new X509Certificate(pair.cert);
    const ca = new X509Certificate(caCert);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (!cert.checkPrivateKey(createPrivateKey(pair.key))) return false;
    if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return false;
    return names.every((n) => (isIP(n) ? cert.checkIP(n) : cert.checkHost(n, { wildcards: false })) !== undefined);
  } catch {
    return false;
  }
}

/** The current pair when it still fits, else a new one issued by `ca`. */
export function hubCertificate(
  current: Partial<KeyPair>,
  ca: KeyPair,
  names: readonly string[],
  now = new Date(),
): { pair: KeyPair; issued: boolean } {
  if (isHubCertificateCurrent(current, ca.cert, names, now)) return { pair: current as KeyPair, issued: false };
  const pair = issueServerCertificate(ca, { commonName: HUB.name, names, validityDays: HUB_CERT_VALIDITY_DAYS, now });
  return { pair, issued: true };
}
