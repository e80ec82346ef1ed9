/** Composition root of the loader: config -> logger -> loader -> run until a signal. */
import { ServiceGroup, runUntilSignal, service } from '../../lib/lifecycle.ts';
import { createLogger } from '../../lib/logging.ts';
import { loadLoaderConfig } from './config.ts';
import { createLoader } from './loader.ts';

const config = loadLoaderConfig(process.env, process.argv.slice(2));
const log = createLogger({ service: 'loader', level: config.logLevel });
const loader = createLoader(config, { log });
const group = new ServiceGroup(log);
group.add(
  service(
    'loader',
    () => loader.start(),
    () => loader.stop(),
  ),
);
await runUntilSignal(group, log);
