// A module's Service (reference/kubernetes.md §3.4): exposed ports keep their number, port bindings publish the
// host port, with the preview's port names and type rules. A module without ports gets a headless Service
// (clusterIP None, no ports): its name resolves to the pod's address, so `http://<module>:<port>` works on any
// port the module listens on, as module names do on Docker's network (the preview made no Service at all).
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import { childPath, type ModuleSpec, type ServiceType } from '../../manifest/index.js';
import { metadata, moduleLabels, modulePath, selectorLabels, type PlanContext } from './context.js';

function portName(kind: 'exposedport' | 'hostport', port: number, protocol: string): string {
  return `${kind}-${port}-${protocol.toLowerCase()}`;
}

/** Service ports keyed by service port and protocol; a host binding replaces an exposed port of the same number. */
export function servicePorts(ctx: PlanContext, module: ModuleSpec): IServicePort[] {
  const ports = new Map<string, IServicePort>();
  const co = module.createOptions;
  for (const p of co.exposedPorts) {
    ports.set(`${p.port}/${p.protocol}`, {
      name: portName('exposedport', p.port, p.protocol),
      port: p.port,
      targetPort: p.port,
      protocol: p.protocol,
    });
  }
  const bound = new Set<string>();
  for (const b of co.portBindings) {
    const key = `${b.containerPort}/${b.protocol}`;
    if (bound.has(key)) {
      ctx.warnings.push({
        path: childPath(childPath(childPath(modulePath(module.name), 'settings'), 'createOptions'), 'HostConfig'),
        severity: 'warning',
        message: `ignored: more than one binding for ${key}; a Service publishes the first`,
      });
      continue;
    }
    bound.add(key);
    const port = b.hostPort ?? b.containerPort;
    ports.set(`${port}/${b.protocol}`, {
      name: portName('hostport', b.containerPort, b.protocol),
      port,
      targetPort: b.containerPort,
      protocol: b.protocol,
    });
  }
  return [...ports.values()];
}

/** The Service type: k8s-experimental first, ClusterIP for exposed-only ports, else the device's setting. */
export function serviceType(ctx: PlanContext, module: ModuleSpec): ServiceType {
  const explicit = module.createOptions.k8sExperimental.serviceOptions?.type;
  if (explicit) return explicit;
  return module.createOptions.portBindings.length === 0 ? 'ClusterIP' : ctx.device.modules.serviceType;
}

export function planModuleService(
  ctx: PlanContext,
  module: ModuleSpec,
  objectName: string,
  annotations: Record<string, string>,
): IService {
  const ports = servicePorts(ctx, module);
  if (ports.length === 0) {
    return {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(ctx.device, objectName, moduleLabels(ctx.device, objectName), annotations),
      spec: { clusterIP: 'None', selector: selectorLabels(ctx.device, objectName) },
    };
  }
  const loadBalancerIP = module.createOptions.k8sExperimental.serviceOptions?.loadBalancerIP;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(ctx.device, objectName, moduleLabels(ctx.device, objectName), annotations),
    spec: {
      type: serviceType(ctx, module),
      selector: selectorLabels(ctx.device, objectName),
      ports,
      ...(loadBalancerIP ? { loadBalancerIP } : {}),
    },
  };
}
