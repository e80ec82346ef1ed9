#!/usr/bin/env node
/** The `cuttle` command: from dist/ once built (the package's bin), or through tsx in development. */
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2));
