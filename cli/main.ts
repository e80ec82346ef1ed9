/** The `cuttle` command (cli/bin.js runs this through tsx). */
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2));
