// The EdgeDeployment CustomResourceDefinition, from this one source. deploy/crd/edgedeployment.yaml is this
// object as YAML, and schema.test.ts fails when the two differ (`UPDATE_GOLDEN=1` rewrites the file).
// The schema is structural; `modulesContent` keeps every field (x-kubernetes-preserve-unknown-fields), so an
// Azure deployment manifest applies unchanged, createOptions strings and all.
import type { ICustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import type { IJSONSchemaProps } from 'kubernetes-models/apiextensions.k8s.io/v1/JSONSchemaProps';
import {
  ACCESS_MODES,
  DATA_RETENTION_POLICIES,
  GROUP,
  KIND,
  PLURAL,
  SERVICE_TYPES,
  SINGULAR,
  VERSION,
} from './types.js';

const QUANTITY = '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$';
/** IoT Hub device ids: up to 128 ASCII letters, digits and `-.%_#*?!(),:=@$'`. */
const DEVICE_ID = "^[A-Za-z0-9\\-.%_#*?!(),:=@$']{1,128}$";

const text = (description: string, extra: IJSONSchemaProps = {}): IJSONSchemaProps => ({
  type: 'string',
  description,
  ...extra,
});

const serviceType = (description: string): IJSONSchemaProps => text(description, { enum: [...SERVICE_TYPES] });

const storage = (description: string, extra: Record<string, IJSONSchemaProps> = {}): IJSONSchemaProps => ({
  type: 'object',
  description,
  properties: {
    storageClassName: text('Storage class of the claim; absent: the cluster default.'),
    size: text('Requested size, a Kubernetes quantity such as 1Gi.', { pattern: QUANTITY }),
    ...extra,
  },
});

const spec: IJSONSchemaProps = {
  type: 'object',
  description: 'An Azure IoT Edge deployment manifest (modulesContent) and the settings edgehub adds.',
  required: ['modulesContent'],
  properties: {
    deviceId: text('The edge device id; defaults to the resource name.', { pattern: DEVICE_ID }),
    iotHubHostName: text('HostName in module connection strings; defaults to edgehub.<namespace>.svc.', {
      maxLength: 253,
    }),
    modulesContent: {
      type: 'object',
      description: 'The manifest modulesContent ($edgeAgent, $edgeHub, module desired properties), unchanged.',
      'x-kubernetes-preserve-unknown-fields': true,
    },
    hub: {
      type: 'object',
      description: 'The hub (edgehub) of this device.',
      properties: {
        image: text('Hub image; absent: the agent default.'),
        serviceType: serviceType('Type of Service edgehub; default ClusterIP.'),
        externalHostnames: {
          type: 'array',
          description: 'Names and IPs clients outside the cluster use; added to the hub certificate.',
          items: { type: 'string' },
        },
        storage: storage('The PVC that holds the hub store; default 1Gi.'),
        resources: {
          type: 'object',
          description: 'core/v1 ResourceRequirements of the hub container.',
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    },
    dataRetention: text(
      'Retain (default): PVCs, device key and CA outlive removed modules and this resource. Delete: they go too.',
      { enum: [...DATA_RETENTION_POLICIES] },
    ),
    modules: {
      type: 'object',
      description: 'Defaults for module objects.',
      properties: {
        serviceType: serviceType('Service type for modules with PortBindings; default ClusterIP.'),
        volumeClaims: storage('PVCs for Docker volumes; default 1Gi, ReadWriteOnce.', {
          accessMode: text('Access mode of the claims.', { enum: [...ACCESS_MODES] }),
        }),
      },
    },
  },
};

const condition: IJSONSchemaProps = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: text('Ready, Progressing or Degraded.'),
    status: text('True, False or Unknown.', { enum: ['True', 'False', 'Unknown'] }),
    reason: text('A CamelCase reason.'),
    message: text('What happened, for people.'),
    lastTransitionTime: text('When status last changed.', { format: 'date-time' }),
    observedGeneration: { type: 'integer', format: 'int64' },
  },
};

const moduleStatus: IJSONSchemaProps = {
  type: 'object',
  required: ['name', 'desiredStatus', 'runtimeStatus'],
  properties: {
    name: text('Module id as in the manifest ($edgeHub for the hub).'),
    desiredStatus: text('running or stopped.'),
    runtimeStatus: text('unknown, backoff, running, unhealthy, stopped or failed.'),
    statusDescription: text('Details, from the pod.'),
    exitCode: { type: 'integer', format: 'int32' },
    restartCount: { type: 'integer', format: 'int32' },
    lastStartTimeUtc: text('When the container last started.'),
    lastExitTimeUtc: text('When the container last exited.'),
    image: text('The image the container runs.'),
  },
};

const status: IJSONSchemaProps = {
  type: 'object',
  description: 'Written by the agent.',
  properties: {
    observedGeneration: { type: 'integer', format: 'int64' },
    conditions: {
      type: 'array',
      items: condition,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
    modules: {
      type: 'array',
      items: moduleStatus,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    },
    issues: {
      type: 'array',
      description: 'Manifest and planning issues of the observed generation.',
      items: {
        type: 'object',
        required: ['path', 'message', 'severity'],
        properties: { path: text('JSON path.'), message: text('The problem.'), severity: text('error or warning.') },
      },
    },
  },
};

/** The CRD object, as `kubectl apply` takes it. */
export function edgeDeploymentCrd(): ICustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${PLURAL}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'edgehub' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: ['edgedep'],
        categories: ['edgehub'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Device', type: 'string', jsonPath: '.spec.deviceId' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'An IoT Edge device: its deployment manifest, run by the edgehub agent.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status,
              },
            },
          },
        },
      ],
    },
  };
}
