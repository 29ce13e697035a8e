import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { IScore } from '../api';
import { ReportView } from '../report';
import { report } from './fakes';

const trans = nullTranslator.load('jupyter_ext');

async function render(element: JSX.Element): Promise<HTMLElement> {
  const widget = ReactWidget.create(element);
  Widget.attach(widget, document.body);
  for (let i = 0; i < 100 && !widget.node.firstChild; i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  return widget.node;
}

const figure = {
  metric: 'mean absolute error',
  lower_is_better: true,
  baseline: 16900,
  with_feature: 15660,
  change: -1240,
  spread: { std: 310, ci95: [-1700, -780] as [number, number], per_fold: [] },
  helps: true
};

const SCORED: IScore = {
  status: 'scored',
  reason: null,
  scorer: 'neg_mean_absolute_error',
  folds: 5,
  rows: 1963,
  model: 'hist_gradient_boosting',
  fallback: null,
  baseline_description: 'gradient boosting on 6 existing features',
  sentence:
    "Cuts the baseline's mean absolute error by $1,240 (± $310 over 5 folds): $16,900 → $15,660.",
  score_sentence:
    "Cuts the baseline's mean absolute error by 0.0081 (± 0.0020 over 5 folds): 0.1100 → 0.1019.",
  ...figure,
  units: { ...figure, currency: '$', unit: null, sentence: 'in dollars' },
  warnings: [],
  duration_ms: 820
};

describe('ScoreView in the report', () => {
  it('shows the sentence in dollars beside the acceptance verdict', async () => {
    const host = await render(
      <ReportView report={report({ score: SCORED })} trans={trans} />
    );
    const section = host.querySelector('.jp-JupyterExt-score');
    expect(section).not.toBeNull();
    // Right after the acceptance section
    expect(section?.previousElementSibling?.className).toContain(
      'jp-JupyterExt-acceptance'
    );
    const sentence = section?.querySelector('.jp-JupyterExt-scoreSentence');
    expect(sentence?.textContent).toContain(
      "Cuts the baseline's mean absolute error by $1,240 (± $310 over 5 folds)"
    );
    expect(sentence?.className).toContain('jp-mod-helps');
    expect(section?.textContent).toContain(
      'Baseline: gradient boosting on 6 existing features · 5-fold cross-validation'
    );
  });

  it("adds the scorer's own sentence only when the units say something else", async () => {
    // The units figure above is the scorer's MAE with a dollar sign: not repeated
    const same = await render(
      <ReportView report={report({ score: SCORED })} trans={trans} />
    );
    expect(same.textContent).not.toContain('0.0081');
    // A log target: dollars and the scorer's log error differ
    const logTarget: IScore = {
      ...SCORED,
      change: -0.0081,
      units: { ...figure, currency: '$', unit: null, sentence: 'in dollars' }
    };
    const host = await render(
      <ReportView report={report({ score: logTarget })} trans={trans} />
    );
    expect(host.textContent).toContain(
      "Cuts the baseline's mean absolute error by 0.0081"
    );
  });

  it('says why there is no score', async () => {
    const skipped: IScore = {
      status: 'skipped',
      reason: 'The linear model would take about 9.0 s, over the 2 s budget',
      duration_ms: 2100
    };
    const host = await render(
      <ReportView report={report({ score: skipped })} trans={trans} />
    );
    expect(host.querySelector('.jp-JupyterExt-score')?.textContent).toContain(
      'over the 2 s budget'
    );
  });

  it('shows nothing when scoring is off', async () => {
    const host = await render(
      <ReportView report={report({ score: null })} trans={trans} />
    );
    expect(host.querySelector('.jp-JupyterExt-score')).toBeNull();
  });
});
