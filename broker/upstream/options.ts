// What the upstream connection needs: the edge device's own connection string (to IoT Hub, or to a parent edgehub
// through GatewayHostName), the protocol (the reference's UpstreamProtocol values), the parent's CA, and the
// batching and backoff settings. Parsing checks what the SDK would only fail on later, with a clear message.

/** The reference's `UpstreamProtocol` values (reference/routing.md §4.9). */
export const UPSTREAM_PROTOCOLS = ['Amqp', 'AmqpWs', 'Mqtt', 'MqttWs'] as const;
export type UpstreamProtocol = (typeof UPSTREAM_PROTOCOLS)[number];

export interface UpstreamSettings {
  /** `HostName=…;DeviceId=…;SharedAccessKey=…[;GatewayHostName=host[:port]]`: the edge device's own identity. */
  readonly connectionString: string;
  readonly protocol: UpstreamProtocol;
  /** PEM of the CA the upstream's server certificate chains to (a parent edgehub's edge CA); default: Node's roots. */
  readonly ca?: string;
  /** Messages per batch, at most (they are sent together and acknowledged one by one). */
  readonly maxBatchSize: number;
  /** Bytes per batch, at most (a single larger message still goes alone). */
  readonly maxBatchBytes: number;
  /** Backoff while offline: delay(n) = min(min + (2ⁿ − 1) × U(0.8, 1.2) × delta, max), as the reference. */
  readonly backoff: { readonly minMs: number; readonly maxMs: number; readonly deltaMs: number };
  /** A batch not acknowledged within this time counts as a failure (the AMQP SDK never times out a send). */
  readonly operationTimeoutMs: number;
}

export const DEFAULT_UPSTREAM_SETTINGS = {
  protocol: 'Amqp',
  maxBatchSize: 100,
  maxBatchBytes: 1024 * 1024,
  backoff: { minMs: 1000, maxMs: 60_000, deltaMs: 1000 },
  operationTimeoutMs: 20_000,
} as const satisfies Omit<UpstreamSettings, 'connectionString'>;

export interface UpstreamIdentity {
  readonly hostName: string;
  readonly deviceId: string;
  /** Where the client connects (GatewayHostName, or the IoT hub itself). */
  readonly target: string;
}

/** Checks a device connection string; returns what it names, or the problem (never echoing the key). */
export function parseUpstreamConnectionString(
  cs: string,
): { ok: true; value: UpstreamIdentity } | { ok: false; error: string } {
  const fields = new Map<string, string>();
  const parts = cs.trim().split(';');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    const eq = part.indexOf('=');
    // Never echo the text: a malformed part may be (part of) the key.
    if (eq <= 0) return { ok: false, error: `upstream connection string: part ${i + 1} is not Name=value` };
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const hostName = fields.get('HostName');
  const deviceId = fields.get('DeviceId');
  if (!hostName || !deviceId)
    return {
      ok: false,
      error:
        'upstream connection string needs HostName and DeviceId (the edge device in IoT Hub, or in the parent edgehub)',
    };
  if (fields.has('ModuleId'))
    return {
      ok: false,
      error: `upstream connection string names module "${fields.get('ModuleId')}": give the edge device's own connection string, without ModuleId`,
    };
  if (!fields.get('SharedAccessKey'))
    return {
      ok: false,
      error:
        'upstream connection string needs SharedAccessKey (SharedAccessSignature and x509 strings are not supported: the SDK ignores GatewayHostName with them)',
    };
  return { ok: true, value: { hostName, deviceId, target: fields.get('GatewayHostName') || hostName } };
}

export function parseUpstreamProtocol(value: string): UpstreamProtocol | undefined {
  return UPSTREAM_PROTOCOLS.find((p) => p.toLowerCase() === value.trim().toLowerCase());
}
