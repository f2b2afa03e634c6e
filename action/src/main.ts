// Entry point of the bundled action (action/dist/index.js): wires the real runner, environment,
// core and GitHub client into `runAction`, which does everything else.
import { loadSplitCore } from './core-api.js';
import { actionsCoreIO } from './io.js';
import { createGitHubClient } from './octokit.js';
import { runAction } from './run-action.js';

const result = await runAction({
  io: actionsCoreIO(),
  env: process.env,
  cwd: process.cwd(),
  loadCore: loadSplitCore,
  github: createGitHubClient,
});
// Clients of locations (gRPC channels, keep-alive sockets) must not keep a finished step running.
process.exit(result.ok ? 0 : 1);
