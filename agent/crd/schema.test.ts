import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { assertGolden } from '../testing/golden.js';
import { toYamlDocuments } from '../yaml.js';
import { edgeDeploymentCrd } from './schema.js';

const CRD_FILE = new URL('../../deploy/crd/edgedeployment.yaml', import.meta.url);

describe('EdgeDeployment CRD', () => {
  it('is a valid apiextensions.k8s.io/v1 CustomResourceDefinition', () => {
    new CustomResourceDefinition(edgeDeploymentCrd()).validate();
  });

  it('deploy/crd/edgedeployment.yaml is exactly the object from agent/crd/schema.ts', () => {
    const yaml = toYamlDocuments(
      [edgeDeploymentCrd()],
      ['Generated from agent/crd/schema.ts; do not edit. Regenerate: UPDATE_GOLDEN=1 npm test -- agent/crd/'],
    );
    assertGolden(CRD_FILE, yaml, 'UPDATE_GOLDEN=1 npm test -- agent/crd/');
  });

  it('is structural where it must be and keeps modulesContent whole', () => {
    const crd = edgeDeploymentCrd();
    const version = crd.spec.versions[0]!;
    assert.deepEqual(version.subresources, { status: {} });
    const spec = version.schema?.openAPIV3Schema?.properties?.spec;
    assert.equal(spec?.properties?.modulesContent?.['x-kubernetes-preserve-unknown-fields'], true);
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.equal(crd.metadata?.name, 'edgedeployments.edgehub.io');
  });
});
