/**
 * `npm run fleet -- up|down|status [--fleet <file>] [--no-build] [--stack]`: a production-shaped
 * cuttle fleet on one machine (stack/fleet/README.md).
 *
 * - up: builds dist/, starts the fleet's private stack (what is down), registers its source once,
 *   then starts every cuttle process that is not running and waits until each is ready.
 * - down: stops the cuttle processes (SIGTERM); with --stack, the fleet's stack too.
 * - status: each process (pid, ready) and the fleet's stack; exit 1 unless all are up.
 */
import { parseFlags } from '../../lib/config.ts';
import { ensureError } from '../../lib/errors.ts';
import { fleetDown, fleetUp, memberStates, stackScript } from './control.ts';
import { loadFleet, type Fleet } from './description.ts';
import { logFile } from './processes.ts';

const say = (line: string) => console.log(`[fleet] ${line}`);

async function status(fleet: Fleet): Promise<number> {
  const states = await memberStates(fleet);
  console.log('MEMBER'.padEnd(15) + 'ROLE'.padEnd(12) + 'PID'.padEnd(9) + 'STATE'.padEnd(10) + 'URL');
  for (const { member, pid, ready } of states) {
    const state = pid === undefined ? 'down' : ready ? 'ready' : 'not ready';
    console.log(
      member.id.padEnd(15) +
        member.role.padEnd(12) +
        String(pid ?? '-').padEnd(9) +
        state.padEnd(10) +
        member.url,
    );
  }
  let stackUp = true;
  try {
    console.log(await stackScript(fleet, 'status'));
  } catch (err) {
    stackUp = false;
    console.log((err as { stdout?: string }).stdout ?? ensureError(err).message);
  }
  const down = states.filter((s) => !s.ready).map((s) => s.member.id);
  if (down.length > 0) console.log(`not ready: ${down.join(', ')} (logs: ${logFile(fleet, '<member>')})`);
  return down.length === 0 && stackUp ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = parseFlags(rest);
  const fleet = loadFleet(flags.get('--fleet'));
  switch (command) {
    case 'up':
      await fleetUp(fleet, { build: flags.get('--no-build') !== 'true' }, say);
      return status(fleet);
    case 'down':
      await fleetDown(fleet, { stack: flags.get('--stack') === 'true' }, say);
      return 0;
    case 'status':
      return status(fleet);
    default:
      console.error('usage: npm run fleet -- up|down|status [--fleet <file>] [--no-build] [--stack]');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[fleet] ${ensureError(err).message}`);
    process.exit(1);
  },
);
