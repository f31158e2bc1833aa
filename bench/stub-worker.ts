import { startWorker } from '../src/app/worker-part.js';
import { createRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/shared/logger.js';
import { createStubGenerator } from '../test/support/stub-generator.js';

/**
 * A worker process as `npm run worker` runs it, but with the stub generator: the bench starts it
 * beside its submitters to measure the path split over processes, as production deploys it.
 */
const config = loadConfig(process.env);
const runtime = await createRuntime(config, createLogger({ level: 'silent', secrets: [] }));
const worker = await startWorker(runtime, { generator: await createStubGenerator() });
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker
    .close()
    .then(() => runtime.close())
    .then(() => process.exit(0));
});
