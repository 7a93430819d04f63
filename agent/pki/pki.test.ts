import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCertificateAuthority } from '../../manifest/index.js';
import { Kube } from '../apply/kube.js';
import { RESOURCES } from '../apply/resources.js';
import { readEdgeDeployment, type Device } from '../crd/edge-deployment.js';
import { ERROR_CODES, type AgentError } from '../errors.js';
import { FakeApiServer } from '../testing/fake-api-server.js';
import { edgeDeploymentFor } from '../testing/fixtures.js';
import { caProblem, ensureDeviceCa } from './device-ca.js';
import { ensureDeviceKey, isUsableDeviceKey } from './device-key.js';
import { hubCertificate, isHubCertificateCurrent } from './hub-certificate.js';

const manifest = {
  $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker' }, modules: {} } },
  $edgeHub: {
    'properties.desired': { schemaVersion: '1.1', routes: {}, storeAndForwardConfiguration: { timeToLiveSecs: 60 } },
  },
};

describe('pki', () => {
  const ca = createCertificateAuthority({ commonName: 'test CA', validityDays: 30 });
  const names = ['edgehub', 'edgehub.ns1.svc', '192.0.2.1'];

  it('keeps a hub certificate that fits and reissues one that does not', () => {
    const first = hubCertificate({}, ca, names);
    assert.equal(first.issued, true);
    assert.equal(isHubCertificateCurrent(first.pair, ca.cert, names, new Date()), true);
    assert.equal(hubCertificate(first.pair, ca, names).issued, false);
    assert.equal(hubCertificate(first.pair, ca, [...names, 'edge.example.com']).issued, true, 'a new name');
    const other = createCertificateAuthority({ commonName: 'other CA', validityDays: 30 });
    assert.equal(hubCertificate(first.pair, other, names).issued, true, 'another CA');
    const later = new Date(Date.now() + 340 * 86_400_000);
    assert.equal(isHubCertificateCurrent(first.pair, ca.cert, names, later), false, 'near expiry');
  });

  it('says why a CA cannot serve, and checks device keys', () => {
    assert.equal(caProblem(ca, new Date()), undefined);
    assert.match(caProblem({ cert: ca.cert }, new Date())!, /lacks/);
    assert.match(caProblem(hubCertificate({}, ca, names).pair, new Date())!, /not a CA/);
    assert.equal(isUsableDeviceKey(Buffer.alloc(32, 1).toString('base64')), true);
    assert.equal(isUsableDeviceKey('short'), false);
    assert.equal(isUsableDeviceKey(undefined), false);
  });

  describe('against the fake API server', () => {
    let fake: FakeApiServer;
    let kube: Kube;
    let device: Device;
    before(async () => {
      fake = await FakeApiServer.start();
      kube = new Kube(fake.kubeConfig(), 'edgehub-agent');
      await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } });
      const r = readEdgeDeployment(edgeDeploymentFor({ modulesContent: manifest }, { namespace: 'ns1' }));
      assert.ok(r.ok);
      device = r.value;
    });
    after(() => fake.close());

    it('creates the device key and CA once, then reads them', async () => {
      const k1 = await ensureDeviceKey(kube, device);
      const k2 = await ensureDeviceKey(kube, device);
      assert.deepEqual([k1.created, k2.created, k1.key === k2.key], [true, false, true]);
      const c1 = await ensureDeviceCa(kube, device);
      const c2 = await ensureDeviceCa(kube, device);
      assert.deepEqual([c1.created, c2.created, c1.ca.cert === c2.ca.cert], [true, false, true]);
      const secret = await kube.get(RESOURCES.secret, 'ns1', 'edgehub-device-key');
      assert.equal(secret?.metadata.labels?.['edgehub.io/lifecycle'], 'provisioned');
    });

    it('surfaces a 409 with no Secret to read as a retryable conflict', async () => {
      await kube.delete(RESOURCES.secret, 'ns1', 'edgehub-device-key');
      fake.fail({ method: 'POST', path: /secrets$/, status: 409 });
      await assert.rejects(
        ensureDeviceKey(kube, device),
        (e: AgentError) => e.code === ERROR_CODES.conflict && e.retryable,
      );
    });

    it('refuses a Secret that holds no usable key, as a terminal error', async () => {
      await kube.delete(RESOURCES.secret, 'ns1', 'edgehub-device-key');
      await kube.create({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'edgehub-device-key', namespace: 'ns1' },
        data: { deviceKey: Buffer.from('x').toString('base64') },
      });
      await assert.rejects(
        ensureDeviceKey(kube, device),
        (e: AgentError) => e.code === ERROR_CODES.invalidPki && !e.retryable,
      );
    });
  });
});
