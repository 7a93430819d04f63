// A message as the router sees it, and the source string the reference derives from its system properties.

/** A message as the router sees it. Property names are looked up case-insensitively; values compare case-sensitively. */
export interface RoutableMessage {
  /** Application properties. null = a value that was present but not a string (AMQP). */
  readonly properties: Readonly<Record<string, string | null>>;
  /**
   * System properties by the hub's internal key (reference §2.10): connectionDeviceId, connectionModuleId,
   * outputName, contentType, contentEncoding, messageId, cid, to, userId, messageType, … The source (§1.2)
   * is derived from connectionModuleId, outputName and messageType, read by exactly these keys.
   */
  readonly systemProperties: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

function present(v: string | undefined): v is string {
  return v !== undefined && v !== null && v !== '';
}

export function isTwinChangeNotification(m: RoutableMessage): boolean {
  const t = m.systemProperties.messageType;
  return (
    t !== undefined && t !== null && (t === 'twinChangeNotification' || t.toLowerCase() === 'twinchangenotification')
  );
}

/**
 * The message's source, lower-cased and ending in `/` (reference §1.2): `/twinchangenotifications/`,
 * `/messages/modules/{module}/outputs/{output}/`, `/messages/modules/{module}/` or `/messages/`.
 */
export function foldedSourceOf(m: RoutableMessage): string {
  if (isTwinChangeNotification(m)) return '/twinchangenotifications/';
  const moduleId = m.systemProperties.connectionModuleId;
  if (!present(moduleId)) return '/messages/';
  const output = m.systemProperties.outputName;
  return present(output)
    ? `/messages/modules/${moduleId}/outputs/${output}/`.toLowerCase()
    : `/messages/modules/${moduleId}/`.toLowerCase();
}
