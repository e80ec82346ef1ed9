/**
 * Runs promtool (Debian package `prometheus`). A missing promtool fails the test with how to
 * install it: these checks are the acceptance of the shipped rules and are never skipped.
 */
import { spawnSync } from 'node:child_process';

export interface PromtoolRun {
  readonly status: number;
  readonly output: string;
}

const INSTALL =
  'promtool is not installed: it is in the Debian package "prometheus" ' +
  '(apt-get install -y --no-install-recommends prometheus; .ci/run installs it when missing), ' +
  'or set PROMTOOL to its path';

export function promtool(args: readonly string[], cwd: string): PromtoolRun {
  const bin = process.env.PROMTOOL ?? 'promtool';
  const run = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (run.error !== undefined) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? INSTALL : `${bin} ${args.join(' ')}: ${run.error.message}`);
  }
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
