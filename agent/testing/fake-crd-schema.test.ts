// The fake API server validates and prunes EdgeDeployments against the generated CRD, as a real server does:
// what `kubectl apply` of a bad EdgeDeployment would meet, and what the agent's status writes must pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESOURCES } from '../apply/resources.js';
import { classicManifest, Harness, NAMESPACE } from './harness.js';

describe('fake API server: EdgeDeployments against the CRD schema', () => {
  it('refuses wrong types, values and missing fields with 422, prunes unknown fields', async () => {
    const h = await Harness.start({ kubelet: false });
    try {
      const ed = (spec: Record<string, unknown>) => ({
        ...h.edgeDeployment(classicManifest()),
        spec: { modulesContent: classicManifest().modulesContent, ...spec },
      });
      await assert.rejects(
        h.kube.apply(ed({ hub: { serviceType: 'Ingress' } })),
        /EdgeDeployment\.edgehub\.io "dev1" is invalid: spec\.hub\.serviceType: Unsupported value: "Ingress": supported values: "ClusterIP", "NodePort", "LoadBalancer"/,
      );
      await assert.rejects(
        h.kube.apply(ed({ deviceId: 7 })),
        /spec\.deviceId in body must be of type string: "integer"/,
      );
      await assert.rejects(h.kube.apply(ed({ deviceId: 'a b' })), /spec\.deviceId in body should match/);
      await assert.rejects(h.kube.apply(ed({ dataRetention: 'Forever' })), /spec\.dataRetention: Unsupported value/);
      await assert.rejects(
        h.kube.apply({ ...h.edgeDeployment(classicManifest()), spec: {} }),
        /spec\.modulesContent: Required value/,
      );
      await h.kube.apply(ed({ unknownField: 1, hub: { storage: { size: '2Gi', extra: true } } }));
      const stored = (await h.get(RESOURCES.edgeDeployment, 'dev1'))!.spec as Record<string, unknown>;
      assert.equal(stored.unknownField, undefined, 'pruned');
      assert.deepEqual(stored.hub, { storage: { size: '2Gi' } });
      // modulesContent keeps every field (x-kubernetes-preserve-unknown-fields).
      assert.deepEqual(stored.modulesContent, classicManifest().modulesContent);
      await assert.rejects(
        h.kube.patchStatus(RESOURCES.edgeDeployment, NAMESPACE, 'dev1', { conditions: [{ type: 'Ready' }] }),
        /status\.conditions\[0\]\.status: Required value/,
      );
    } finally {
      await h.close();
    }
  });
});
