// Live configuration: the file is polled (fs.watchFile follows the symlink swaps of a Kubernetes ConfigMap
// mount, which fs.watch misses); a changed document is loaded and handed over only when it validates.
import { unwatchFile, watchFile } from 'node:fs';
import { loadHubConfig, type ConfigLoad, type HubConfig } from './load.js';

export interface ConfigWatcher {
  close(): void;
}

/**
 * Calls `onChange` with every new valid configuration and `onInvalid` with the errors of a document that does not
 * validate (the running configuration stays). `current` is the digest of what runs now.
 */
export function watchConfig(
  path: string,
  current: () => string,
  onChange: (config: HubConfig) => void,
  onInvalid: (errors: readonly string[]) => void,
  intervalMs = 1000,
): ConfigWatcher {
  let lastRefused = '';
  const check = (): void => {
    const load: ConfigLoad = loadHubConfig(path);
    if (load.ok) {
      lastRefused = '';
      if (load.config.digest !== current()) onChange(load.config);
      return;
    }
    const key = load.errors.join('\n');
    if (key !== lastRefused) {
      lastRefused = key; // say it once per distinct bad document, not every poll
      onInvalid(load.errors);
    }
  };
  watchFile(path, { interval: intervalMs, persistent: false }, (curr, prev) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) check();
  });
  return { close: () => unwatchFile(path) };
}
