// Secrets the hub reads from files (mounted Kubernetes Secrets): the TLS key pair and the device key. Rotation
// is picked up live: the files are polled, and a complete new set is handed over once every file reads back.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';

export interface SecretFiles {
  close(): void;
}

/** Reads `paths` now (throws with the path when one cannot be read) and calls `onChange` when any changes. */
export function readSecretFiles<K extends string>(
  paths: Readonly<Record<K, string>>,
  onChange: (contents: Record<K, string>) => void,
  onError: (err: Error) => void,
  intervalMs = 2000,
): { contents: Record<K, string>; watcher: SecretFiles } {
  const read = (): Record<K, string> => {
    const out = {} as Record<K, string>;
    for (const key of Object.keys(paths) as K[]) {
      try {
        out[key] = readFileSync(paths[key], 'utf8');
      } catch (err) {
        throw new Error(`cannot read ${paths[key]}: ${(err as Error).message}`, { cause: err });
      }
    }
    return out;
  };
  let current = read();
  const check = (): void => {
    try {
      const next = read();
      if ((Object.keys(next) as K[]).some((k) => next[k] !== current[k])) {
        current = next;
        onChange(next);
      }
    } catch (err) {
      onError(err as Error);
    }
  };
  const files = Object.values<string>(paths);
  for (const f of files) watchFile(f, { interval: intervalMs, persistent: false }, check);
  return { contents: current, watcher: { close: () => files.forEach((f) => unwatchFile(f, check)) } };
}
