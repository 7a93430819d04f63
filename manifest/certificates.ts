// The edge CA and the certificates it issues. The SDK always uses TLS and checks the hub's certificate
// against the gateway host name, so the hub's certificate carries every name clients use (SANs).
// Keys come from Node's crypto (fast, native); node-forge builds and signs the X.509 structures,
// which Node's crypto cannot do.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyPair {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM private key (PKCS#8). */
  readonly key: string;
}

export interface CertificateOptions {
  readonly commonName: string;
  readonly validityDays: number;
  /** Backdates notBefore, so a clock a little behind still accepts the certificate. */
  readonly now?: Date;
}

export interface ServerCertificateOptions extends CertificateOptions {
  /** DNS names and IP addresses clients connect to. */
  readonly names: readonly string[];
}

const DAY_MS = 86_400_000;

function newKey(): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem);
  return { forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function baseCertificate(publicKey: forge.pki.PublicKey, opts: CertificateOptions): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: 16 random bytes with the top bit cleared.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = opts.now ?? new Date();
  cert.validity.notBefore = new Date(now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(now.getTime() + opts.validityDays * DAY_MS);
  return cert;
}

/** A self-signed CA that issues the hub's server certificate (the "edge CA" modules trust). */
export function createCertificateAuthority(opts: CertificateOptions): KeyPair {
  const key = newKey();
  const cert = baseCertificate(key.publicKey, opts);
  const subject = [{ name: 'commonName', value: opts.commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.forgeKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
}

/** A TLS server certificate for `names` (DNS names and IPs as SANs), issued by `ca`. */
export function issueServerCertificate(ca: KeyPair, opts: ServerCertificateOptions): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const key = newKey();
  const cert = baseCertificate(key.publicKey, opts);
  cert.setSubject([{ name: 'commonName', value: opts.commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [...new Set(opts.names)].map((name) =>
    isIP(name) ? { type: 7, ip: name } : { type: 2, value: name },
  );
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: key.pem };
}
