// Every row of the preview's pod → runtimeStatus table (reference/kubernetes.md §4.2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IContainerState } from 'kubernetes-models/v1/ContainerState';
import { currentPod, noPodStatus, podRuntimeStatus } from './pod-status.js';

const pod = (
  phase: string | undefined,
  state?: IContainerState,
  extra: Partial<NonNullable<IPod['status']>> = {},
): IPod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  status: {
    ...(phase ? { phase: phase as 'Running' } : {}),
    ...(state
      ? { containerStatuses: [{ name: 'm', state, ready: false, restartCount: 2, image: 'img:1', imageID: '' }] }
      : {}),
    ...extra,
  },
});

const rows: [string, IPod | undefined, string, RegExp][] = [
  ['Running + waiting', pod('Running', { waiting: { reason: 'CrashLoopBackOff' } }), 'backoff', /CrashLoopBackOff/],
  ['Running + terminated ≠ 0', pod('Running', { terminated: { exitCode: 3 } }), 'failed', /code 3/],
  ['Running + terminated = 0', pod('Running', { terminated: { exitCode: 0 } }), 'stopped', /code 0/],
  [
    'Running + running',
    pod('Running', { running: { startedAt: '2024-01-01T00:00:00Z' } }),
    'running',
    /Started at 2024/,
  ],
  [
    'Running, no container status',
    pod('Running', undefined, { reason: 'Evicted', message: 'low memory' }),
    'failed',
    /Evicted: low memory/,
  ],
  ['Pending, no container status', pod('Pending'), 'failed', /No status for container m/],
  [
    'Pending, not scheduled',
    pod('Pending', undefined, {
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/3 nodes are available: 3 Insufficient memory.',
        },
      ],
    }),
    'backoff',
    /Pod not scheduled: Unschedulable: 0\/3 nodes are available: 3 Insufficient memory/,
  ],
  ['Pending + waiting', pod('Pending', { waiting: { reason: 'ImagePullBackOff' } }), 'backoff', /ImagePullBackOff/],
  ['Pending + running', pod('Pending', { running: {} }), 'backoff', /ContainerStarting/],
  ['Pending + terminated ≠ 0', pod('Pending', { terminated: { exitCode: 1 } }), 'failed', /code 1/],
  ['Pending + terminated = 0', pod('Pending', { terminated: { exitCode: 0 } }), 'stopped', /code 0/],
  ['Unknown', pod('Unknown'), 'unknown', /Unknown/],
  ['Succeeded', pod('Succeeded'), 'stopped', /succeeded/],
  ['Failed', pod('Failed', undefined, { reason: 'DeadlineExceeded' }), 'failed', /DeadlineExceeded/],
  ['pod status missing', pod(undefined), 'unknown', /Unable to get pod status/],
  ['no pod', undefined, 'unknown', /No pod/],
];

describe('podRuntimeStatus', () => {
  for (const [name, p, status, description] of rows) {
    it(name, () => {
      const r = podRuntimeStatus(p, 'm');
      assert.equal(r.runtimeStatus, status);
      assert.match(r.statusDescription, description);
    });
  }

  it('a module without a pod: never created (ReplicaFailure) is failed with the reason; otherwise not there yet', () => {
    const failure = noPodStatus({
      conditions: [
        { type: 'Progressing', status: 'True' },
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'FailedCreate',
          message: 'pods "m-1" is forbidden: violates PodSecurity "restricted:latest": privileged',
        },
      ],
    });
    assert.equal(failure.runtimeStatus, 'failed');
    assert.match(
      failure.statusDescription,
      /Pod not created: FailedCreate: pods "m-1" is forbidden: violates PodSecurity/,
    );
    assert.deepEqual(noPodStatus({ conditions: [] }), { runtimeStatus: 'unknown', statusDescription: 'No pod yet' });
  });

  it('carries restarts, image and times', () => {
    const r = podRuntimeStatus(pod('Running', { running: { startedAt: '2024-01-01T00:00:00Z' } }), 'm');
    assert.deepEqual([r.restartCount, r.image, r.lastStartTimeUtc], [2, 'img:1', '2024-01-01T00:00:00Z']);
  });

  it('picks the newest pod that is not terminating', () => {
    const at = (name: string, ts: string, deleting = false): IPod => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, creationTimestamp: ts, ...(deleting ? { deletionTimestamp: ts } : {}) },
    });
    assert.equal(
      currentPod([at('old', '2024-01-01T00:00:00Z'), at('new', '2024-01-02T00:00:00Z', true)])?.metadata?.name,
      'old',
    );
    assert.equal(currentPod([at('a', '2024-01-01T00:00:00Z'), at('b', '2024-01-02T00:00:00Z')])?.metadata?.name, 'b');
    assert.equal(currentPod([]), undefined);
  });
});
