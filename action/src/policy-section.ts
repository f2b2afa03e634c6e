// The short policy section of the sticky comment (issue 12 item 7): counts, then one line per result
// that did not simply pass — what blocks and who may override it, what was overridden and by whom —
// at most a few lines; every result with its messages is in the job summary's plan.
import type { PlanDocument } from './core-api.js';

type Policies = NonNullable<PlanDocument['policies']>;
type Result = Policies['results'][number];

const SHOWN = 10;

function md(s: string): string {
  return s.replace(/[|\\`*_<>[\]]/g, (c) => `\\${c}`);
}

function owner(o: string): string {
  const name = o.replace(/^@/, '');
  return name.includes('/') ? `a member of @${name}` : `@${name}`;
}

function line(r: Result): string {
  const head = `\`${r.policy.replace(/`/g, "'")}\` (${r.enforcement}) on ${md(r.item)}`;
  const first = r.messages[0]
    ? `: ${md(r.messages[0])}${r.messages.length > 1 ? ` (+${r.messages.length - 1})` : ''}`
    : '';
  if (r.exception)
    return `- 🟰 ${head}: excepted until ${md(r.exception.until)} (approved by ${md(r.exception.approvedBy)})`;
  if (r.override) return `- ✅ ${head}: overridden by ${md(r.override.actor)}: “${md(r.override.reason)}”`;
  if (!r.blocking) return `- ⚠️ ${head}: advisory failure${first}`;
  if (r.enforcement === 'hard') return `- ⛔ ${head}: **blocks**, never overridden${first}`;
  const who =
    r.owners.length > 0
      ? `an approving review by ${r.owners.map(owner).join(' or ')} overrides it`
      : 'no owners: nobody may override it';
  return `- 🛑 ${head}: **blocks**; ${who}${first}`;
}

export function policySection(policies: Policies, detailsElsewhere: boolean): string {
  const results = policies.results;
  const count = (f: (r: Result) => boolean) => results.filter(f).length;
  const parts = [
    `${count((r) => r.blocking)} blocking`,
    `${count((r) => r.override !== undefined)} overridden`,
    `${count((r) => r.exception !== undefined)} excepted`,
    `${count((r) => !r.passed && !r.blocking && !r.override && !r.exception)} advisory failure(s)`,
    `${count((r) => r.passed)} passed`,
  ];
  const expired =
    policies.expiredExceptions.length > 0
      ? `; ${policies.expiredExceptions.length} expired exception(s) no longer apply`
      : '';
  const where = detailsElsewhere ? ' Every result and message is in the job summary.' : '';
  const out = [
    `**Policies** (${results.length} result${results.length === 1 ? '' : 's'}): ${parts.join(', ')}${expired}.${where}`,
  ];
  const notable = results.filter((r) => !r.passed);
  const order = (r: Result) => (r.blocking ? 0 : r.override ? 1 : r.exception ? 3 : 2);
  const sorted = [...notable].sort((a, b) => order(a) - order(b));
  if (sorted.length > 0) out.push('', ...sorted.slice(0, SHOWN).map(line));
  if (sorted.length > SHOWN) out.push(`- … and ${sorted.length - SHOWN} more`);
  return out.join('\n');
}
