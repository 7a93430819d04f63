// The optional monitoring objects: PodMonitors for the Prometheus Operator (the agent, and every hub the
// agent runs) and the Grafana dashboard as a ConfigMap for Grafana's dashboard sidecar (label grafana_dashboard).
// PodMonitors, not ServiceMonitors: hub pods and the agent are scraped directly, so no metrics Service is needed.
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { METRICS_PORT_NAME } from '../agent/plan/hub-args.js';
import { FIELD_MANAGER, HUB, LABELS } from '../agent/plan/names.js';
import { AGENT_NAME, agentLabels, agentSelector, type InstallOptions } from './agent.js';
import { DASHBOARD_FILE, dashboardJson } from './dashboards/edgehub.js';

/** monitoring.coreos.com/v1 PodMonitor: only the fields used here (kubernetes-models has no Operator types). */
export interface PodMonitor {
  apiVersion: 'monitoring.coreos.com/v1';
  kind: 'PodMonitor';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    selector: ILabelSelector;
    namespaceSelector?: { any: boolean } | { matchNames: string[] };
    podMetricsEndpoints: { port: string; path: string; interval: string }[];
  };
}

/** The hub pods of every device: the agent's ownership label and the hub's module label. */
const HUB_POD_SELECTOR = { [LABELS.managedBy]: FIELD_MANAGER, [LABELS.module]: HUB.name };

function podMonitor(o: InstallOptions, name: string, spec: PodMonitor['spec']): PodMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name, namespace: o.namespace, labels: agentLabels() },
    spec,
  };
}

export function monitoringObjects(o: InstallOptions): (PodMonitor | IConfigMap)[] {
  const endpoint = (port: string) => [{ port, path: '/metrics', interval: '30s' }];
  return [
    podMonitor(o, AGENT_NAME, {
      selector: { matchLabels: agentSelector() },
      podMetricsEndpoints: endpoint(METRICS_PORT_NAME),
    }),
    podMonitor(o, 'edgehub-hubs', {
      // Cluster scope: hubs live in every device namespace. Namespace scope: only in the agent's own (a
      // PodMonitor without namespaceSelector watches its own namespace), so two namespaced installs never
      // scrape each other's hubs twice.
      ...(o.scope === 'cluster' ? { namespaceSelector: { any: true } } : {}),
      selector: { matchLabels: { ...HUB_POD_SELECTOR } },
      podMetricsEndpoints: endpoint(METRICS_PORT_NAME),
    }),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'edgehub-dashboard',
        namespace: o.namespace,
        labels: { ...agentLabels(), grafana_dashboard: '1' },
      },
      data: { [DASHBOARD_FILE]: dashboardJson() },
    },
  ];
}
