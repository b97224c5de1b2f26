import { boot, onShutdown } from '../src/runtime.ts';
import { startConfiguredWorkers } from './runtime.ts';

/** Worker process (npm run worker): the outbox relay, the queue processors and the scheduled tasks. */
const { config, logger, database, services } = await boot('workers');
const workers = startConfiguredWorkers(config, database, logger);
logger.info({ prefix: config.queuePrefix }, 'workers started');
onShutdown(logger, [() => workers.close(), () => database.close(), () => services.stop()]);
