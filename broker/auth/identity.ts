// Who a client is, and whether its credentials say so. Module keys are derived from the device key
// (manifest/identity.ts), so any module's token is checked without a per-module lookup. A module must also be
// in the current configuration: removing it from the manifest revokes it. Leaf and child edge devices connect
// with their own device identity when the configuration lists them (`edgehubDevices`).
import { deriveDeviceKey, deriveModuleKey } from '../../manifest/index.js';
import { hasValidSignature, parseSasToken } from './sas.js';

export interface Identity {
  readonly deviceId: string;
  /** Undefined for a device-level client (authenticated with the device key). */
  readonly moduleId: string | undefined;
  /** `{device}` or `{device}/{module}`: the MQTT client id and the metrics `id` label. */
  readonly id: string;
}

export interface Credentials {
  readonly deviceId: string;
  readonly deviceKey: string;
  /** Host names a token's resource may name: the IoT hub host name, and the hub's own names. */
  readonly hostNames: ReadonlySet<string>;
  /** Modules of the current configuration; undefined = any module whose key verifies. */
  readonly modules: ReadonlySet<string> | undefined;
  /** Leaf and child edge devices of the configuration: id → explicit key, or undefined for a derived key. */
  readonly devices?: ReadonlyMap<string, string | undefined>;
}

/** Why a client was refused; `reason` is a stable word for metrics, `message` is for the log. */
export interface AuthFailure {
  ok: false;
  reason:
    | 'bad_client_id'
    | 'bad_token'
    | 'expired'
    | 'wrong_identity'
    | 'unknown_module'
    | 'unknown_device'
    | 'bad_signature';
  message: string;
}

export type AuthResult = { ok: true; identity: Identity } | AuthFailure;

/** A verified token: who it is for, and when it expires (seconds since the epoch). */
export type TokenAuthResult = { ok: true; identity: Identity; expiry: number } | AuthFailure;

export function identityOf(clientId: string): { deviceId: string; moduleId: string | undefined } | undefined {
  const parts = clientId.split('/');
  if (parts.length === 1 && parts[0] !== '') return { deviceId: parts[0]!, moduleId: undefined };
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return { deviceId: parts[0]!, moduleId: parts[1] };
  return undefined;
}

/**
 * Verifies an MQTT CONNECT: the client id names the identity, the user name repeats it
 * (`{host}/{clientId}/?api-version=…`), and the password is a SAS token for that same identity.
 */
export function authenticate(
  creds: Credentials,
  clientId: string,
  username: string | undefined,
  password: string | undefined,
  nowSecs: number,
): AuthResult {
  const who = identityOf(clientId);
  if (!who)
    return {
      ok: false,
      reason: 'bad_client_id',
      message: `client id "${clientId.slice(0, 100)}" is neither {device} nor {device}/{module}`,
    };
  const id = who.moduleId === undefined ? who.deviceId : `${who.deviceId}/${who.moduleId}`;
  const other = checkOtherDevice(creds, who);
  if (other) return other;
  if (username !== undefined) {
    const slash = username.indexOf('/');
    const userClient =
      slash === -1
        ? ''
        : username
            .slice(slash + 1)
            .split('/?')[0]!
            .replace(/\/$/, '');
    if (userClient !== id) {
      return {
        ok: false,
        reason: 'wrong_identity',
        message: `user name names "${userClient}" but the client id is "${id}"`,
      };
    }
  }
  const result = verifyToken(creds, who, id, password, nowSecs);
  return result.ok ? { ok: true, identity: result.identity } : result;
}

/**
 * Verifies a CBS put-token (AMQP): the identity is the token's audience, `{host}/devices/{d}[/modules/{m}]`.
 * `audience` is the put-token's `name` (the token's `sr`, still URL-encoded); it must name the same resource.
 */
export function authenticateToken(
  creds: Credentials,
  audience: string | undefined,
  token: string,
  nowSecs: number,
): TokenAuthResult {
  const parsed = parseSasToken(token);
  if (!parsed.ok) return { ok: false, reason: 'bad_token', message: parsed.reason };
  const resource = parsed.token.resource;
  if (audience !== undefined && audience !== parsed.token.resourceRaw && audience !== resource) {
    return {
      ok: false,
      reason: 'wrong_identity',
      message: `put-token name "${audience.slice(0, 200)}" is not the token's audience "${resource.slice(0, 200)}"`,
    };
  }
  const s = resource.split('/');
  const who =
    s.length === 3 && s[1] === 'devices' && s[2] !== ''
      ? { deviceId: s[2]!, moduleId: undefined }
      : s.length === 5 && s[1] === 'devices' && s[3] === 'modules' && s[2] !== '' && s[4] !== ''
        ? { deviceId: s[2]!, moduleId: s[4] }
        : undefined;
  if (!who) {
    return {
      ok: false,
      reason: 'wrong_identity',
      message: `token audience "${resource.slice(0, 200)}" is neither {host}/devices/{d} nor {host}/devices/{d}/modules/{m}`,
    };
  }
  const other = checkOtherDevice(creds, who);
  if (other) return other;
  const id = who.moduleId === undefined ? who.deviceId : `${who.deviceId}/${who.moduleId}`;
  return verifyToken(creds, who, id, token, nowSecs);
}

/** A client of another device than this edge device: only a configured leaf or child edge device, without modules. */
function checkOtherDevice(
  creds: Credentials,
  who: { deviceId: string; moduleId: string | undefined },
): AuthFailure | undefined {
  if (who.deviceId === creds.deviceId) return undefined;
  const name = who.deviceId.slice(0, 100);
  if (creds.devices?.has(who.deviceId) !== true) {
    return {
      ok: false,
      reason: 'unknown_device',
      message: `device "${name}" is neither this edge device ("${creds.deviceId}") nor in the configuration's edgehubDevices`,
    };
  }
  if (who.moduleId !== undefined) {
    return {
      ok: false,
      reason: 'wrong_identity',
      message: `device "${name}" connects through this hub as a device; its modules ("${who.moduleId.slice(0, 100)}") connect to its own edge hub`,
    };
  }
  return undefined;
}

/** The key a token of `who` must be signed with. */
function keyOf(creds: Credentials, who: { deviceId: string; moduleId: string | undefined }): string {
  if (who.deviceId !== creds.deviceId)
    return creds.devices?.get(who.deviceId) ?? deriveDeviceKey(creds.deviceKey, who.deviceId);
  return who.moduleId === undefined ? creds.deviceKey : deriveModuleKey(creds.deviceKey, who.moduleId);
}

/** The checks both protocols share: module allowed, token for this identity and host, not expired, signed. */
function verifyToken(
  creds: Credentials,
  who: { deviceId: string; moduleId: string | undefined },
  id: string,
  password: string | undefined,
  nowSecs: number,
): TokenAuthResult {
  if (who.moduleId !== undefined && who.moduleId.startsWith('$')) {
    return { ok: false, reason: 'unknown_module', message: `module "${who.moduleId}" is reserved for the runtime` };
  }
  if (who.moduleId !== undefined && creds.modules !== undefined && !creds.modules.has(who.moduleId)) {
    return {
      ok: false,
      reason: 'unknown_module',
      message: `module "${who.moduleId}" is not in the current deployment manifest`,
    };
  }
  if (password === undefined || password.length === 0)
    return { ok: false, reason: 'bad_token', message: 'no password (SAS token) given' };
  const parsed = parseSasToken(password);
  if (!parsed.ok) return { ok: false, reason: 'bad_token', message: parsed.reason };
  const token = parsed.token;
  const segments = token.resource.split('/');
  const expected =
    who.moduleId === undefined ? ['devices', who.deviceId] : ['devices', who.deviceId, 'modules', who.moduleId];
  const host = segments[0] ?? '';
  if (segments.length !== expected.length + 1 || expected.some((s, i) => segments[i + 1] !== s)) {
    return { ok: false, reason: 'wrong_identity', message: `token is for "${token.resource}", not for ${id}` };
  }
  if (!creds.hostNames.has(host.toLowerCase())) {
    return {
      ok: false,
      reason: 'wrong_identity',
      message: `token host "${host}" is neither the IoT hub host name nor this hub's`,
    };
  }
  if (token.expiry <= nowSecs) {
    return { ok: false, reason: 'expired', message: `token expired ${nowSecs - token.expiry} s ago` };
  }
  if (!hasValidSignature(token, keyOf(creds, who)))
    return { ok: false, reason: 'bad_signature', message: 'token signature does not match the key' };
  return { ok: true, identity: { deviceId: who.deviceId, moduleId: who.moduleId, id }, expiry: token.expiry };
}
