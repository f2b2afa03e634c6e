// Entry point of the `split-pipelines` command (bundled into dist/cli.js).
import { main } from './run.js';

process.exitCode = await main(process.argv.slice(2));
