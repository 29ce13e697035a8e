/**
 * The validation report of a feature: verdict, checks with advice,
 * acceptance (statistic vs threshold), redundant features, timings and the
 * data fingerprint. Pure rendering of an `IValidationReport`.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { checkIcon, closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import {
  IAcceptance,
  ICheckResult,
  IFeatureSummary,
  IValidationReport
} from './api';
import { formatNumber, StatChart } from './chart';
import { ScoreView } from './score';

interface IReportProps {
  report: IValidationReport;
  trans: TranslationBundle;
}

/**
 * One sentence saying where the feature stands.
 */
export function verdictText(
  report: IValidationReport,
  trans: TranslationBundle
): string {
  if (report.error) {
    return trans.__('No verdict: the validation could not finish.');
  }
  const failed = report.checks.filter(c => !c.passed && !c.skipped).length;
  if (failed > 0) {
    return trans._n(
      '%1 of %2 checks failed.',
      '%1 of %2 checks failed.',
      failed,
      report.checks.length
    );
  }
  if (report.acceptance && !report.acceptance.accepted) {
    return trans.__(
      'All checks passed, but the feature is not accepted: it adds too little information.'
    );
  }
  if (report.passed) {
    return trans.__('All checks passed and the feature is accepted.');
  }
  return trans.__('The feature did not pass.');
}

export function ReportView(props: IReportProps): JSX.Element {
  const { report, trans } = props;
  return (
    <div className="jp-JupyterExt-report">
      <p
        className={
          report.passed
            ? 'jp-JupyterExt-verdict jp-mod-passed'
            : 'jp-JupyterExt-verdict jp-mod-failed'
        }
        role="status"
      >
        {report.passed ? (
          <checkIcon.react tag="span" className="jp-JupyterExt-verdictIcon" />
        ) : (
          <closeIcon.react tag="span" className="jp-JupyterExt-verdictIcon" />
        )}
        <span>{verdictText(report, trans)}</span>
      </p>
      {report.feature ? (
        <FeatureSummary feature={report.feature} trans={trans} />
      ) : null}
      {report.error ? (
        <div className="jp-JupyterExt-error" role="alert">
          <p>
            {trans.__('The validation worker stopped (%1):', report.error.kind)}
          </p>
          <p className="jp-JupyterExt-message">{report.error.message}</p>
        </div>
      ) : null}
      <ChecksView checks={report.checks} trans={trans} />
      {report.acceptance ? (
        <AcceptanceView acceptance={report.acceptance} trans={trans} />
      ) : report.checks.some(c => !c.passed) ? (
        <p className="jp-JupyterExt-hint">
          {trans.__(
            'Acceptance is evaluated once all checks pass (it needs a working feature).'
          )}
        </p>
      ) : null}
      {report.score ? <ScoreView score={report.score} trans={trans} /> : null}
      <FootnoteView report={report} trans={trans} />
    </div>
  );
}

/** How many output columns to name before "and N more". */
const MAX_OUTPUTS = 3;

function FeatureSummary(props: {
  feature: IFeatureSummary;
  trans: TranslationBundle;
}): JSX.Element {
  const { feature: f, trans } = props;
  const shown = f.output.slice(0, MAX_OUTPUTS).join(', ');
  const more = f.output.length - MAX_OUTPUTS;
  return (
    <p className="jp-JupyterExt-featureSummary">
      <strong>{f.name}</strong>
      {': '}
      {f.input.join(', ')}
      {' → '}
      <span title={f.output.join(', ')}>
        {more > 0 ? trans.__('%1 and %2 more', shown, more) : shown}
      </span>
      {f.description ? (
        <span className="jp-JupyterExt-description">{f.description}</span>
      ) : null}
    </p>
  );
}

function ChecksView(props: {
  checks: ICheckResult[];
  trans: TranslationBundle;
}): JSX.Element | null {
  const { checks, trans } = props;
  if (checks.length === 0) {
    return null;
  }
  // Failures first: they are what the user has to act on; then the checks
  // that could not run because of them; the passed ones folded away.
  const failed = checks.filter(c => !c.passed && !c.skipped);
  const skipped = checks.filter(c => !c.passed && c.skipped);
  const passedChecks = checks.filter(c => c.passed);
  const passed = passedChecks.length;
  // A passed check may carry a note (e.g. a name another feature uses): shown,
  // not folded away, but not a failure either.
  const notes = passedChecks.filter(c => c.message);
  const quiet = passedChecks.filter(c => !c.message);
  return (
    <section aria-label={trans.__('Checks')}>
      <h3 className="jp-JupyterExt-sectionTitle">
        {skipped.length
          ? trans.__(
              'Checks (%1 of %2 passed, %3 skipped)',
              passed,
              checks.length,
              skipped.length
            )
          : trans.__('Checks (%1 of %2 passed)', passed, checks.length)}
      </h3>
      <CheckList checks={failed} trans={trans} />
      <CheckList checks={notes} trans={trans} label={trans.__('Notes')} />
      {skipped.length > 0 ? (
        <details className="jp-JupyterExt-skippedChecks">
          <summary>
            {trans._n(
              '%1 check not run (it needs the failed ones)',
              '%1 checks not run (they need the failed ones)',
              skipped.length
            )}
          </summary>
          <CheckList checks={skipped} trans={trans} />
        </details>
      ) : null}
      {quiet.length > 0 ? (
        <details className="jp-JupyterExt-passedChecks">
          <summary>
            {trans._n('%1 check passed', '%1 checks passed', quiet.length)}
          </summary>
          <CheckList checks={quiet} trans={trans} />
        </details>
      ) : null}
    </section>
  );
}

function CheckList(props: {
  checks: ICheckResult[];
  trans: TranslationBundle;
  label?: string;
}): JSX.Element | null {
  if (props.checks.length === 0) {
    return null;
  }
  return (
    <ul className="jp-JupyterExt-checks" aria-label={props.label}>
      {props.checks.map(check => (
        <CheckItem key={check.name} check={check} trans={props.trans} />
      ))}
    </ul>
  );
}

function CheckItem(props: {
  check: ICheckResult;
  trans: TranslationBundle;
}): JSX.Element {
  const { check, trans } = props;
  const state = check.passed ? 'passed' : check.skipped ? 'skipped' : 'failed';
  const icon = { passed: '✓', failed: '✗', skipped: '–' }[state];
  const label = {
    passed: trans.__('passed'),
    failed: trans.__('failed'),
    skipped: trans.__('skipped')
  }[state];
  return (
    <li
      className={`jp-JupyterExt-check jp-mod-${state}`}
      data-check={check.name}
    >
      <span className="jp-JupyterExt-checkIcon" role="img" aria-label={label}>
        {icon}
      </span>
      <div className="jp-JupyterExt-checkBody">
        <span className="jp-JupyterExt-checkName">{check.name}</span>
        {state === 'skipped' ? (
          <span className="jp-JupyterExt-detail">
            {check.message ?? trans.__('Not run: an earlier check failed.')}
          </span>
        ) : null}
        {state !== 'skipped' && check.message ? (
          <span className="jp-JupyterExt-checkMessage">
            {check.message}
            {check.line
              ? ' ' + trans.__('(line %1 of the module)', check.line)
              : ''}
          </span>
        ) : null}
        {state !== 'skipped' && check.advice ? (
          <span className="jp-JupyterExt-advice">
            <strong>
              {state === 'failed'
                ? trans.__('How to fix:')
                : trans.__('Suggestion:')}
            </strong>{' '}
            {check.advice}
          </span>
        ) : null}
      </div>
    </li>
  );
}

function AcceptanceView(props: {
  acceptance: IAcceptance;
  trans: TranslationBundle;
}): JSX.Element {
  const { acceptance: a, trans } = props;
  return (
    <section
      className="jp-JupyterExt-acceptance"
      aria-label={trans.__('Acceptance')}
    >
      <h3 className="jp-JupyterExt-sectionTitle">
        {a.accepted
          ? trans.__('Accepted by %1', a.accepter)
          : trans.__('Not accepted by %1', a.accepter)}
      </h3>
      {a.statistic !== null && a.threshold !== null ? (
        <>
          <StatChart
            statistic={a.statistic}
            threshold={a.threshold}
            accepted={a.accepted}
            trans={trans}
          />
          <p className="jp-JupyterExt-detail">
            {trans.__(
              'statistic %1, threshold %2',
              formatNumber(a.statistic),
              formatNumber(a.threshold)
            )}
          </p>
        </>
      ) : null}
      {a.reason ? <p className="jp-JupyterExt-reason">{a.reason}</p> : null}
      {a.redundant.length > 0 ? (
        <p className="jp-JupyterExt-redundant">
          {trans._n(
            'It would make this existing feature redundant:',
            'It would make these existing features redundant:',
            a.redundant.length
          )}{' '}
          {a.redundant.map((name, i) => {
            const author = a.redundant_features?.find(
              f => f.name === name
            )?.author;
            return (
              <React.Fragment key={name}>
                {i > 0 ? ', ' : ''}
                <code>{name}</code>
                {author ? ' ' + trans.__('(by %1)', author) : ''}
              </React.Fragment>
            );
          })}
        </p>
      ) : null}
    </section>
  );
}

function FootnoteView(props: IReportProps): JSX.Element {
  const { report, trans } = props;
  const t = report.timings_ms ?? {};
  // The stages the server timed (extract, worker, checks, ...), in its
  // order: in the tooltip, the total is what a contributor cares about.
  const parts = Object.entries(t)
    .filter(([key, ms]) => key !== 'total' && typeof ms === 'number')
    .map(([key, ms]) => `${key} ${Math.round(ms)} ms`);
  return (
    <dl className="jp-JupyterExt-footnote">
      {typeof t.total === 'number' ? (
        <>
          <dt>{trans.__('Time')}</dt>
          <dd
            className="jp-JupyterExt-timing"
            title={parts.length ? parts.join(', ') : undefined}
          >
            {trans.__('%1 ms', Math.round(t.total))}
          </dd>
        </>
      ) : null}
      {report.data ? (
        <>
          <dt>{trans.__('Data')}</dt>
          <dd>
            {trans.__(
              '%1 rows of the %2 split',
              report.data.rows,
              report.data.split
            )}
          </dd>
          {report.existing_features ? (
            <>
              <dt>{trans.__('Compared with')}</dt>
              <dd>
                {trans._n(
                  '%1 existing feature',
                  '%1 existing features',
                  report.existing_features.count
                )}
                {report.existing_features.failed.length
                  ? ' ' +
                    trans.__(
                      '(%1 could not be computed)',
                      report.existing_features.failed.length
                    )
                  : ''}
              </dd>
            </>
          ) : null}
          <dt>{trans.__('Fingerprint')}</dt>
          <dd>
            <code title={report.data.fingerprint}>
              {shortHash(report.data.fingerprint)}
            </code>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/** "sha256:abcdef0123456789..." -> "sha256:abcdef012345". */
function shortHash(hash: string): string {
  const [algo, digest] = hash.includes(':') ? hash.split(':', 2) : ['', hash];
  return (algo ? algo + ':' : '') + digest.slice(0, 12);
}
