// Claims-based security on `$cbs` (reference/protocol.md §4.2): the put-token request the SDK sends, and the
// reply it waits for. The reply correlates by the request's message-id (echoed as it came), and its
// `status-code` must be the number 200 for success: any other value fails the client's open() with
// UnauthorizedError(status-description).
import type { AmqpMessage } from './message-mapping.js';

export type PutTokenRequest =
  | { readonly ok: true; readonly messageId: unknown; readonly name: string | undefined; readonly token: string }
  | { readonly ok: false; readonly messageId: unknown; readonly description: string };

const TOKEN_TYPES = new Set(['servicebus.windows.net:sastoken', 'azure-devices.net:sastoken']);

export function parsePutToken(m: AmqpMessage): PutTokenRequest {
  const messageId = m.message_id;
  const app = m.application_properties ?? {};
  const operation = app.operation;
  if (operation !== 'put-token') {
    return { ok: false, messageId, description: `unsupported $cbs operation "${String(operation).slice(0, 50)}"` };
  }
  const type = app.type;
  if (typeof type !== 'string' || !TOKEN_TYPES.has(type)) {
    return { ok: false, messageId, description: `unsupported token type "${String(type).slice(0, 80)}"` };
  }
  const body = m.body;
  const token = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : undefined;
  if (token === undefined) return { ok: false, messageId, description: 'the put-token body is not a token string' };
  const name = app.name;
  return { ok: true, messageId, name: typeof name === 'string' ? name : undefined, token };
}

/** The reply on the hub's `$cbs` sender. */
export function putTokenReply(messageId: unknown, status: number, description: string): AmqpMessage {
  return {
    ...(messageId === undefined ? {} : { correlation_id: messageId }),
    application_properties: { 'status-code': status, 'status-description': description },
  };
}
