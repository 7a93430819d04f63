// The hub's one internal message: what a protocol head produces on ingest and what endpoints deliver.
// It is also what the router reads (routing's RoutableMessage), so no conversion happens on the hot path.

/** System-property keys, as the reference hub names them internally (reference/routing.md §2.10). */
export const SystemProperty = {
  messageId: 'messageId',
  correlationId: 'cid',
  userId: 'userId',
  to: 'to',
  contentType: 'contentType',
  contentEncoding: 'contentEncoding',
  expiryTime: 'absolute-expiry-time',
  creationTime: 'creationTime',
  messageSchema: 'messageSchema',
  operation: 'operation',
  interfaceId: 'iothub-interface-id',
  dtSubject: 'dt-subject',
  outputName: 'outputName',
  inputName: 'inputName',
  connectionDeviceId: 'connectionDeviceId',
  connectionModuleId: 'connectionModuleId',
  edgeMessageId: 'edgeMessageId',
  edgeHubOriginInterface: 'edgeHubOriginInterface',
  messageType: 'messageType',
} as const;

export type ApplicationProperties = Record<string, string | null>;
export type SystemProperties = Record<string, string | undefined>;

export interface Message {
  /** Application properties; null marks a value that was present but not a string (AMQP). */
  readonly properties: ApplicationProperties;
  readonly systemProperties: SystemProperties;
  /** Body bytes, never parsed by the hub itself (the router parses JSON bodies lazily, only for `$body`). */
  readonly body: Buffer;
  /** When the hub accepted it (ms since the epoch). */
  readonly enqueuedMs: number;
}

/** The reference hub's limit (EdgeHub MaxMessageSize): properties, system properties and body together. */
export const MAX_MESSAGE_SIZE = 256 * 1024;

/** Size as the reference counts it: key and value lengths of both property bags plus the body length. */
export function messageSize(m: Message): number {
  let size = m.body.length;
  for (const key in m.properties) size += key.length + (m.properties[key]?.length ?? 0);
  for (const key in m.systemProperties) size += key.length + (m.systemProperties[key]?.length ?? 0);
  return size;
}
