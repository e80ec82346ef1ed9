/** The `cuttle` program: commands load lazily, service commands pass their flags through. */
import { describe, expect, it } from 'vitest';
import { commandEntries } from '../../../cli/commands.ts';
import { buildProgram, runCli, selectedCommand } from '../../../cli/program.ts';

function capture(): { out: string[]; err: string[]; io: { out(s: string): void; err(s: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s) => void out.push(s), err: (s) => void err.push(s) } };
}

describe('selectedCommand', () => {
  it('finds the command after global options, skipping their values', () => {
    expect(selectedCommand(['--executive', 'limits', '--json', 'sources', 'list'])).toBe('sources');
    expect(selectedCommand(['--admin-token', 'tables', 'limits', 'show'])).toBe('limits');
    expect(selectedCommand(['--executive=http://x', 'writers'])).toBe('writers');
    expect(selectedCommand(['help', 'snapshots'])).toBe('snapshots');
    expect(selectedCommand(['--help'])).toBeUndefined();
  });
});

describe('buildProgram', () => {
  it('lists every command for --help without loading any of them', async () => {
    const { program } = await buildProgram(['--help']);
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(commandEntries.map((e) => e.name)));
    expect(names).toEqual(
      expect.arrayContaining(['executive', 'reflector', 'loader', 'supervisor', 'embedded']),
    );
    for (const entry of commandEntries) {
      const stub = program.commands.find((c) => c.name() === entry.name);
      expect(stub?.commands.length, entry.name).toBe(0);
    }
  });

  it('loads the named command with its subcommands', async () => {
    const { program } = await buildProgram(['--json', 'limits', 'list']);
    const limits = program.commands.find((c) => c.name() === 'limits');
    expect(limits?.commands.map((c) => c.name())).toEqual(expect.arrayContaining(['list', 'show', 'set']));
  });

  it('keeps each summary equal to the loaded command’s own description', async () => {
    const { program } = await buildProgram([], undefined, () => true);
    for (const entry of commandEntries) {
      const loaded = program.commands.find((c) => c.name() === entry.name);
      expect(loaded?.description(), entry.name).toBe(entry.summary);
    }
  });
});

describe('service commands', () => {
  it('hand every flag after the name to the service, --admin-token included', async () => {
    const { err, io } = capture();
    // An invalid port proves the flags reached the executive's configuration, not commander.
    const code = await runCli(['executive', '--admin-token', 't', '--port', 'not-a-port'], io);
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/EXECUTIVE_PORT \(or --port\) = "not-a-port" is invalid/);
    expect(err.join('\n')).not.toMatch(/EXECUTIVE_ADMIN_TOKEN/);
  });

  it('print their options and variables for --help', async () => {
    const { out, io } = capture();
    expect(await runCli(['reflector', '--help'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/--ldb-path {2}REFLECTOR_LDB_PATH/);
  });

  it('refuse global options before a service name, saying why', async () => {
    const { err, io } = capture();
    expect(await runCli(['--json', 'supervisor'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/a service's name comes first: cuttle supervisor \[flags\]/);
  });
});
