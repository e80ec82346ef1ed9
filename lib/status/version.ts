/** cuttle's version, from package.json (read once; the same file ships in the build). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (parsed.name === 'cuttle' && typeof parsed.version === 'string') return parsed.version;
    } catch {
      // not at this depth (source vs dist/): try the next
    }
  }
  return 'unknown';
}

export const CUTTLE_VERSION = readVersion();
