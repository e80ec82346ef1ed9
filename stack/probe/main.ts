/**
 * `node --import tsx stack/probe/main.ts [--wait SECONDS [--pid PID]] [--create-bucket] [NAME...]`
 *
 * Prints one tab-separated line per component (name, address, up|down, detail) and exits 0 only
 * when every named component (default: all) is up. With --wait, keeps probing each one until it
 * is up or the time has passed, or until process PID (the one just started) has exited.
 * The stack scripts parse this output.
 */
import { componentNames, isComponentName, type ComponentName } from './components.ts';
import { probeUntilUp } from './probes.ts';

function parseArgs(argv: readonly string[]) {
  let waitSeconds = 0;
  let createBucket = false;
  let pid: number | undefined;
  const names: ComponentName[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--wait') waitSeconds = Number(argv[++i]);
    else if (arg === '--pid') pid = Number(argv[++i]);
    else if (arg === '--create-bucket') createBucket = true;
    else if (isComponentName(arg)) names.push(arg);
    else throw new Error(`unknown argument ${arg}; components are ${componentNames.join(', ')}`);
  }
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new Error('--wait needs a number of seconds');
  const watchedPid = pid !== undefined && Number.isInteger(pid) && pid > 0 ? { watchedPid: pid } : {};
  return { waitSeconds, createBucket, ...watchedPid, names: names.length > 0 ? names : [...componentNames] };
}

async function main(): Promise<number> {
  const { waitSeconds, names, ...options } = parseArgs(process.argv.slice(2));
  const results = await Promise.all(names.map((n) => probeUntilUp(n, waitSeconds * 1000, options)));
  for (const r of results) {
    const detail = r.detail.replace(/\s+/g, ' ');
    process.stdout.write(`${r.name}\t${r.address}\t${r.up ? 'up' : 'down'}\t${detail}\n`);
  }
  return results.every((r) => r.up) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
