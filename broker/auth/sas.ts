// Shared access signatures as the Azure IoT SDK makes them (reference/protocol.md §2):
// `SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64 HMAC>&se=<expiry>[&skn=<key name>]`,
// signed over the still-encoded `sr`, a newline and `se`.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SasToken {
  /** `sr` exactly as received (still URL-encoded): what the signature covers. */
  readonly resourceRaw: string;
  /** `sr` decoded: `{host}/devices/{device}[/modules/{module}]`. */
  readonly resource: string;
  /** Decoded base64 signature. */
  readonly signature: string;
  /** Expiry, seconds since the epoch. */
  readonly expiry: number;
  readonly keyName: string | undefined;
}

export type SasParseResult = { ok: true; token: SasToken } | { ok: false; reason: string };

const PREFIX = 'SharedAccessSignature ';

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function parseSasToken(text: string): SasParseResult {
  if (!text.startsWith(PREFIX)) return { ok: false, reason: 'the password is not a SharedAccessSignature token' };
  const fields = new Map<string, string>();
  for (const part of text.slice(PREFIX.length).split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, reason: `malformed token field "${part.slice(0, 40)}"` };
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  if (sr === undefined || sig === undefined || se === undefined) {
    return { ok: false, reason: 'the token lacks one of sr, sig, se' };
  }
  const resource = safeDecode(sr);
  const signature = safeDecode(sig);
  if (resource === undefined || signature === undefined)
    return { ok: false, reason: 'bad percent-encoding in the token' };
  if (!/^\d+$/.test(se)) return { ok: false, reason: `the token expiry "${se.slice(0, 20)}" is not a number` };
  const skn = fields.get('skn');
  return {
    ok: true,
    token: {
      resourceRaw: sr,
      resource,
      signature,
      expiry: Number(se),
      keyName: skn === undefined ? undefined : safeDecode(skn),
    },
  };
}

/** base64(HMAC-SHA256(base64-decoded key, `{sr}\n{se}`)). */
export function signSas(key: string, resourceRaw: string, expiry: number): string {
  return createHmac('sha256', Buffer.from(key, 'base64')).update(`${resourceRaw}\n${expiry}`).digest('base64');
}

/** Checks the signature with `key` (constant time). */
export function hasValidSignature(token: SasToken, key: string): boolean {
  const expected = Buffer.from(signSas(key, token.resourceRaw, token.expiry));
  const given = Buffer.from(token.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Builds a token the way the SDK does (tests and tools). */
export function createSasToken(resource: string, key: string, expiry: number): string {
  const sr = encodeURIComponent(resource);
  return `${PREFIX}sr=${sr}&sig=${encodeURIComponent(signSas(key, sr, expiry))}&se=${expiry}`;
}
