import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createCertificateAuthority, issueServerCertificate } from './certificates.js';

describe('certificates', () => {
  const ca = createCertificateAuthority({ commonName: 'edgehub test CA', validityDays: 30 });
  const server = issueServerCertificate(ca, {
    commonName: 'edgehub',
    names: ['edgehub', 'edgehub.dev1.svc', '127.0.0.1'],
    validityDays: 30,
  });

  it('issues a server certificate that chains to the CA and names every SAN', () => {
    const caX = new X509Certificate(ca.cert);
    const x = new X509Certificate(server.cert);
    assert.equal(caX.ca, true);
    assert.equal(x.ca, false);
    assert.equal(x.verify(caX.publicKey), true);
    assert.equal(x.checkIssued(caX), true);
    assert.equal(x.checkHost('edgehub.dev1.svc'), 'edgehub.dev1.svc');
    assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(x.checkHost('other'), undefined);
  });

  it('serves TLS that a client trusting only the CA accepts for a listed name and refuses for another', async () => {
    const srv = createServer({ cert: server.cert, key: server.key }, (s) => s.end('ok'));
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as AddressInfo).port;
    try {
      const good = connect({ host: '127.0.0.1', port, ca: ca.cert, servername: 'edgehub' });
      await once(good, 'secureConnect');
      good.destroy();
      const bad = connect({ host: '127.0.0.1', port, ca: ca.cert, servername: 'not-listed' });
      const [err] = (await once(bad, 'error')) as [NodeJS.ErrnoException];
      assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      srv.close();
    }
  });
});
