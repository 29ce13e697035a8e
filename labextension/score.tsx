/**
 * What the feature does to a model (the report's `score`, see docs/api.md):
 * the server's sentence in the project's units ("Cuts the baseline's mean
 * absolute error by $1,240 (± $310 over 5 folds)"), then how it was
 * measured. Shown beside the acceptance verdict. Pure rendering.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IScore } from './api';

/** A class for the sentence: helps / hurts / within noise. */
function effectClass(score: IScore): string {
  const figure = score.units ?? score;
  if (figure.helps === true) {
    return 'jp-mod-helps';
  }
  if (figure.helps === false) {
    return 'jp-mod-hurts';
  }
  return 'jp-mod-noise';
}

/**
 * Whether the units figure says more than the scorer's (not just an MAE with a
 * currency sign): only then is the scorer's own sentence shown too.
 */
export function restatesInUnits(score: IScore): boolean {
  const u = score.units;
  if (!u || typeof score.change !== 'number') {
    return false;
  }
  const tolerance =
    1e-9 * Math.max(1, Math.abs(u.change), Math.abs(score.change));
  return (
    u.metric !== score.metric || Math.abs(u.change - score.change) > tolerance
  );
}

export function ScoreView(props: {
  score: IScore;
  trans: TranslationBundle;
}): JSX.Element {
  const { score, trans } = props;
  if (score.status !== 'scored') {
    return (
      <section
        className="jp-JupyterExt-score"
        aria-label={trans.__('Model score')}
      >
        <h3 className="jp-JupyterExt-sectionTitle">
          {trans.__('Model score')}
        </h3>
        <p className="jp-JupyterExt-hint">
          {score.status === 'skipped'
            ? trans.__('Not scored: %1', score.reason ?? '')
            : trans.__('Scoring failed: %1', score.reason ?? '')}
        </p>
      </section>
    );
  }
  const details = [
    trans.__('Baseline: %1', score.baseline_description ?? ''),
    trans.__('%1-fold cross-validation', score.folds ?? 0),
    trans.__('scorer %1', score.scorer ?? '')
  ];
  return (
    <section
      className="jp-JupyterExt-score"
      aria-label={trans.__('Model score')}
    >
      <h3 className="jp-JupyterExt-sectionTitle">{trans.__('Model score')}</h3>
      <p className={`jp-JupyterExt-scoreSentence ${effectClass(score)}`}>
        {score.sentence}
      </p>
      {restatesInUnits(score) && score.score_sentence ? (
        <p className="jp-JupyterExt-detail">{score.score_sentence}</p>
      ) : null}
      <p className="jp-JupyterExt-detail">
        {details.join(' · ')}
        {score.fallback ? ` (${score.fallback})` : ''}
      </p>
      {(score.warnings ?? []).map(warning => (
        <p key={warning} className="jp-JupyterExt-hint">
          {warning}
        </p>
      ))}
    </section>
  );
}
