// One run of the action: inputs → secrets masked → configs → the command → job summary, outputs,
// sticky comment → exit status. Everything with an effect outside this process is injected
// (runner IO, environment, the core, the GitHub client), so the dispatch is tested without a runner.
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { composeComment } from './comment-body.js';
import { messageOf } from '../../src/errors/error-report.js';
import { errorText, type CommandContext } from './command-context.js';
import { resolveConfigs } from './configs.js';
import type { SplitCore } from './core-api.js';
import { readEvent, type RunEvent } from './event.js';
import { inputsFromEnv, readSettings, type Settings } from './inputs.js';
import { redactingIO, type ActionIO } from './io.js';
import type { GitHubClientFactory } from './octokit.js';
import { outputsOf, writeOutputs } from './outputs.js';
import { approvalOverrides, gitHubReviewSource, mergedPullRequestOf } from './policy-approvals.js';
import { gitHubContentSource, ownersAtBase, withBaseOwners } from './policy-base-owners.js';
import { failed, type ConfigReport, type RunReport } from './report.js';
import { runApply } from './run-apply.js';
import { runPlan } from './run-plan.js';
import { runReconcile } from './run-reconcile.js';
import { maskSecretsOf, secretEnvNames, SecretMasker, withoutVariables } from './secrets.js';
import { semanticDiff, type SemanticDiff, type SemanticDiffRequest } from './semantic-diff.js';
import { commentMarker, upsertStickyComment } from './sticky-comment.js';
import { composeSummary } from './summary.js';

export interface ActionDeps {
  io: ActionIO;
  env: NodeJS.ProcessEnv;
  /** The workspace (the runner starts actions in `GITHUB_WORKSPACE`). */
  cwd: string;
  loadCore: () => Promise<SplitCore>;
  github: GitHubClientFactory;
  semanticDiff?: (req: SemanticDiffRequest) => Promise<SemanticDiff>;
}

export interface ActionResult {
  ok: boolean;
  report?: RunReport;
}

export async function runAction(deps: ActionDeps): Promise<ActionResult> {
  const masker = new SecretMasker((v) => deps.io.setSecret(v));
  const io = redactingIO(deps.io, masker);
  const fail = (message: string): ActionResult => {
    io.setFailed(message);
    return { ok: false };
  };
  try {
    const settings = readSettings(inputsFromEnv(deps.env));
    if (settings.githubToken) masker.add(settings.githubToken);
    const event = readEvent(deps.env);
    const fork = event.pullRequest?.fromFork === true;
    if (fork && settings.command !== 'plan') {
      return fail(
        `refusing to ${settings.command} a pull request from a fork: its file decides which endpoints receive the locations' credentials`,
      );
    }
    if (settings.offline && settings.command !== 'plan') {
      return fail(`input "offline" applies to plan only; ${settings.command} has to contact the locations`);
    }
    const configs = resolveConfigs(settings.configPatterns, settings.workingDirectory, deps.cwd);
    // Before anything runs: every secret the files name is masked, whatever happens next.
    const texts = configs.map((c) => readText(resolve(deps.cwd, c)));
    const secretNames = texts.flatMap(secretEnvNames);
    const masked = maskSecretsOf(texts, deps.env, masker);
    if (masked.length > 0) io.info(`masked the values of ${masked.join(', ')}`);
    const ctx: CommandContext = {
      core: await deps.loadCore(),
      io,
      settings,
      event,
      configs,
      offline: settings.offline || fork,
      env: fork ? withoutVariables(deps.env, secretNames) : deps.env,
    };
    const pr = event.pullRequest;
    if (pr) {
      const diff = deps.semanticDiff ?? semanticDiff;
      ctx.diff = (config) => diff({ config, baseSha: pr.baseSha, headSha: pr.headSha, cwd: deps.cwd });
    }
    if (settings.githubToken && event.owner) {
      const repo = { owner: event.owner, repo: event.repo };
      const sha = deps.env['GITHUB_SHA'];
      ctx.approvals = async (policies, config) => {
        const octokit = deps.github(settings.githubToken);
        // A pull request's own run, or the pull request a push merged (apply on the default branch).
        const pull = pr
          ? { number: pr.number, headSha: pr.headSha, baseSha: pr.baseSha }
          : sha
            ? await mergedPullRequestOf(octokit, repo, sha)
            : undefined;
        if (!pull)
          return { overrides: [], notes: ['no pull request found for this run: no approving review to count'] };
        if (!pull.baseSha)
          return {
            overrides: [],
            notes: [
              `pull request #${pull.number}: its base commit is unknown, so its policies' owners cannot be read: no approval counted`,
            ],
          };
        // Owners come from the base commit, never from the file being applied (a pull request must not add its author).
        const path = relative(deps.cwd, resolve(deps.cwd, config)).split(sep).join('/');
        const base = await ownersAtBase(gitHubContentSource(octokit, repo), path, pull.baseSha);
        const owned = withBaseOwners(policies, base, pull.baseSha);
        const decision = await approvalOverrides(owned.policies, gitHubReviewSource(octokit, repo), pull);
        return { overrides: decision.overrides, notes: [...owned.notes, ...decision.notes] };
      };
    }
    const report: RunReport = { command: settings.command, configs: await runCommand(ctx) };
    if (fork) report.offlineReason = 'fork';
    else if (settings.offline) report.offlineReason = 'input';
    if (event.runUrl) report.runUrl = event.runUrl;

    writeOutputs(io, outputsOf(report));
    await io.appendSummary(composeSummary(report, ctx.core));
    const commentOk = await postComment(deps, io, masker, settings, event, report, ctx.core);
    const bad = failed(report);
    if (bad.length > 0) {
      io.setFailed(bad.map((c) => `${c.config}: ${c.error}`).join('\n'));
      return { ok: false, report };
    }
    if (!commentOk) {
      io.setFailed(
        'the pull-request comment could not be posted (see the error above); the plan is in the job summary',
      );
      return { ok: false, report };
    }
    return { ok: true, report };
  } catch (e) {
    return fail(errorText(e, deps.env));
  }
}

function runCommand(ctx: CommandContext): Promise<ConfigReport[]> {
  switch (ctx.settings.command) {
    case 'plan':
      return runPlan(ctx);
    case 'apply':
      return runApply(ctx);
    case 'reconcile':
      return runReconcile(ctx);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the core reports an unreadable file with its diagnostics
  }
}

/** Posts or updates the sticky comment; false when posting failed for a reason the user must fix. */
async function postComment(
  deps: ActionDeps,
  io: ActionIO,
  masker: SecretMasker,
  settings: Settings,
  event: RunEvent,
  report: RunReport,
  core: SplitCore,
): Promise<boolean> {
  const pr = event.pullRequest;
  if (!settings.comment || !pr) return true;
  if (!settings.githubToken || !event.owner) {
    io.warning('no comment posted: the github-token input is empty or GITHUB_REPOSITORY is unset');
    return true;
  }
  const marker = commentMarker(settings.command, settings.configKey);
  // Redacted before it is measured, so the limit holds for what is sent.
  const body = masker.redact(composeComment(marker, report, core));
  try {
    const octokit = deps.github(settings.githubToken);
    const r = await upsertStickyComment(
      octokit,
      { owner: event.owner, repo: event.repo, issueNumber: pr.number, marker },
      body,
    );
    io.info(`${r.action} the pull-request comment${r.url ? ` ${r.url}` : ''}`);
    return true;
  } catch (e) {
    // GitHub's own answer (a missing permission, a read-only token): the advice follows.
    const why = messageOf(e);
    if (pr.fromFork) {
      // GitHub gives fork pull requests a read-only token on `pull_request`: expected, not an error.
      io.warning(
        `no comment posted (${why}): a pull request from a fork gets a read-only token; the plan is in the job summary`,
      );
      return true;
    }
    io.error(`cannot post the pull-request comment: ${why}. The workflow needs \`permissions: pull-requests: write\`.`);
    return false;
  }
}
