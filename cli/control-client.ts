// The operator commands' way to the running hub: HTTP on the control socket in the data folder
// (broker/local/control-server.ts). Errors say what to do next.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { UsageError } from './command.js';
import { flagOrEnv } from './flags.js';

export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** The control socket of the hub using data folder `--data` (EDGEHUB_DATA, default ./data). */
export function controlSocket(data: string | undefined): string {
  const dir = resolve(flagOrEnv(data, 'EDGEHUB_DATA') ?? 'data');
  const path = join(dir, 'control.sock');
  if (!existsSync(path)) {
    throw new UsageError(
      `no running hub found: ${path} does not exist (start one with \`edgehub start --data ${dir}\`, or give --data)`,
    );
  }
  return path;
}

export function callControl(
  socketPath: string,
  method: 'GET' | 'POST',
  path: string,
  body?: string,
): Promise<ControlAnswer> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ socketPath, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: shown as it is
        }
        resolvePromise({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ECONNREFUSED' || err.code === 'ENOENT'
          ? new UsageError(`the hub is not running (nobody answers on ${socketPath}): start it with \`edgehub start\``)
          : err,
      ),
    );
    req.end(body);
  });
}

/** The `message` of an error answer, or the whole body. */
export function errorText(answer: ControlAnswer): string {
  const b = answer.body as { message?: unknown } | undefined;
  return typeof b === 'object' && b !== null && typeof b.message === 'string' ? b.message : JSON.stringify(answer.body);
}
