import { nullTranslator } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import * as React from 'react';

import { formatNumber } from '../chart';
import { ReportView, verdictText } from '../report';
import { report } from './fakes';

const trans = nullTranslator.load('jupyter_ext');

/** Render `element` in the page and return its node once rendered. */
async function render(element: JSX.Element): Promise<HTMLElement> {
  const widget = ReactWidget.create(element);
  Widget.attach(widget, document.body);
  for (let i = 0; i < 100 && !widget.node.firstChild; i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  return widget.node;
}

const NAN_REPORT = report({
  passed: false,
  acceptance: null,
  checks: [
    {
      name: 'IsFeatureCheck',
      passed: true,
      message: null,
      advice: null,
      duration_ms: 1
    },
    {
      name: 'NoMissingValuesCheck',
      passed: false,
      message: 'The feature values contain NaN (12 of 1963 rows).',
      advice:
        'Fill the missing values, e.g. add SimpleImputer() to the transformer.',
      duration_ms: 3
    }
  ]
});

describe('ReportView', () => {
  it('shows the failing check first, with its advice', async () => {
    const host = await render(<ReportView report={NAN_REPORT} trans={trans} />);
    const checks = host.querySelectorAll('.jp-JupyterExt-check');
    expect(checks[0].getAttribute('data-check')).toBe('NoMissingValuesCheck');
    expect(checks[0].textContent).toContain('contain NaN');
    expect(checks[0].textContent).toContain(
      'How to fix: Fill the missing values'
    );
    expect(checks[0].querySelector('[aria-label="failed"]')).not.toBeNull();
    expect(checks[1].querySelector('[aria-label="passed"]')).not.toBeNull();
    // A passed check shows no advice
    expect(checks[1].textContent).toBe('✓IsFeatureCheck');
    expect(host.textContent).toContain('1 of 2 checks failed.');
    expect(host.textContent).toContain(
      'Acceptance is evaluated once all checks pass'
    );
  });

  it('shows a passed check that carries a note, unfolded, as a suggestion', async () => {
    const r = report({
      checks: [
        {
          name: 'IsFeatureCheck',
          passed: true,
          message: null,
          advice: null,
          duration_ms: 1
        },
        {
          name: 'HasUniqueOutputNamesCheck',
          passed: true,
          message: 'Output names already used by existing features: lot_area.',
          advice: 'Consider a name no existing feature uses.',
          duration_ms: 1
        }
      ]
    });
    const host = await render(<ReportView report={r} trans={trans} />);
    const notes = host.querySelector('ul[aria-label="Notes"]')!;
    expect(notes.textContent).toContain('already used by existing features');
    expect(notes.textContent).toContain('Suggestion: Consider a name');
    expect(notes.querySelector('[aria-label="passed"]')).not.toBeNull();
    expect(host.textContent).toContain('Checks (2 of 2 passed)');
    expect(host.textContent).not.toContain('How to fix');
  });

  it('draws the statistic against the threshold', async () => {
    const host = await render(<ReportView report={report()} trans={trans} />);
    const chart = host.querySelector('svg[role="img"]')!;
    expect(chart.getAttribute('aria-label')).toBe(
      'Statistic 0.12 against threshold 0.05: accepted'
    );
    expect(host.textContent).toContain('Accepted by GFSSFAccepter');
    expect(host.textContent).toContain('1963 rows of the train split');
    expect(host.textContent).toContain('sha256:abcdef0123');
  });

  it('names the features the new one makes redundant', async () => {
    const r = report();
    r.acceptance!.redundant = ['lot_area', 'lot_frontage'];
    const host = await render(<ReportView report={r} trans={trans} />);
    expect(host.textContent).toContain(
      'It would make these existing features redundant: lot_area, lot_frontage'
    );
  });

  it('explains a worker failure', async () => {
    const r = report({
      passed: false,
      acceptance: null,
      checks: [],
      error: { kind: 'timeout', message: 'The feature took longer than 60 s.' }
    });
    const host = await render(<ReportView report={r} trans={trans} />);
    expect(host.querySelector('[role="alert"]')!.textContent).toContain(
      'The feature took longer than 60 s.'
    );
    expect(verdictText(r, trans)).toBe(
      'No verdict: the validation could not finish.'
    );
  });

  it('says when all checks pass but acceptance does not', () => {
    const r = report({ passed: false });
    r.acceptance!.accepted = false;
    expect(verdictText(r, trans)).toContain('not accepted');
  });
});

describe('formatNumber', () => {
  it.each([
    [0.123456, '0.123'],
    [0, '0'],
    [12345, '1.23e+4'],
    [0.0001234, '1.23e-4']
  ])('%p -> %p', (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});
