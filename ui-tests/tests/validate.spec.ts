/**
 * Validation in the panel against the real server, worker and demo data:
 * what a contributor sees for a good feature, a broken one, a rejected one,
 * a cell that is not valid Python, and a cell edited since its report.
 */
import { expect, galata, test } from '@jupyterlab/galata';

import {
  CELL,
  SCREENSHOT_CSS,
  openFixture,
  showCell,
  volatile,
  submitToolbarButton,
  validate,
  VALIDATION_TIMEOUT
} from './helpers';

// JupyterLab adds a cache-busting query to every request.
const VALIDATE_URL = /\/jupyter-ext\/validate(\?|$)/;

test.describe('Validation panel', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await openFixture(page, tmpPath);
  });

  test('a good feature: all checks pass and it is accepted', async ({
    page
  }) => {
    const panel = await showCell(page, CELL.good);
    await validate(panel);

    await expect(panel.locator('.jp-JupyterExt-verdict')).toHaveText(
      'All checks passed and the feature is accepted.'
    );
    await expect(panel).toContainText(/Checks \((\d+) of \1 passed\)/);
    await expect(
      panel.locator('.jp-JupyterExt-check.jp-mod-failed')
    ).toHaveCount(0);
    await expect(panel).toContainText('Accepted by VarianceThresholdAccepter');
    await expect(
      panel.getByRole('img', {
        name: /^Statistic .* against threshold .*: accepted$/
      })
    ).toBeVisible();
    await expect(panel).toContainText('rows of the train split');
    await expect(panel).toContainText('Fingerprint');
    // The module is still there, below the report
    await expect(panel.getByLabel('Feature module source')).toContainText(
      'name = "Garage quality score"'
    );
    await expect(panel).toHaveScreenshot('panel-accepted.png', {
      mask: volatile(panel),
      stylePath: SCREENSHOT_CSS
    });
  });

  test('a feature with missing values: the failing check and its advice', async ({
    page
  }) => {
    const panel = await showCell(page, CELL.nan);
    await validate(panel);

    await expect(panel.locator('.jp-JupyterExt-verdict')).toContainText(
      /1 of \d+ checks failed\./
    );
    const failed = panel.locator('.jp-JupyterExt-check.jp-mod-failed');
    await expect(failed).toHaveCount(1);
    await expect(failed).toHaveAttribute('data-check', 'NoMissingValuesCheck');
    await expect(failed).toContainText('missing values (NaN)');
    await expect(failed.locator('.jp-JupyterExt-advice')).toContainText(
      'How to fix:'
    );
    await expect(failed.locator('.jp-JupyterExt-advice')).toContainText(
      'SimpleImputer'
    );
    await expect(panel).toContainText(
      'Acceptance is evaluated once all checks pass'
    );
    await expect(panel).toHaveScreenshot('panel-failing-check.png', {
      mask: volatile(panel),
      stylePath: SCREENSHOT_CSS
    });
  });

  test('a feature that hardly varies: not accepted, with the reason', async ({
    page
  }) => {
    const panel = await showCell(page, CELL.rejected);
    await validate(panel);
    await expect(panel.locator('.jp-JupyterExt-verdict')).toContainText(
      'not accepted'
    );
    await expect(panel).toContainText(
      'Not accepted by VarianceThresholdAccepter'
    );
    await expect(
      panel.getByRole('img', { name: /: not accepted$/ })
    ).toBeVisible();
    await expect(panel.locator('.jp-JupyterExt-reason')).toContainText(
      'nearly constant'
    );
    // The helper from the earlier cell came along into the module
    await expect(panel.getByLabel('Feature module source')).toContainText(
      'def quality_score(values):'
    );
  });

  test('a name another feature uses: passes, with a suggestion shown', async ({
    page
  }, testInfo) => {
    // Given a feature named like one already in the project ("Log lot area")
    await page.notebook.setCell(
      CELL.good,
      'code',
      [
        'import numpy as np',
        '',
        'input = "Lot Area"',
        'transformer = np.sqrt',
        'name = "Log lot area"'
      ].join('\n')
    );
    const panel = await showCell(page, CELL.good);
    // When it is validated
    await validate(panel);
    // Then every check passes, and the name clash is a suggestion, not hidden
    await expect(panel).toContainText(/Checks \((\d+) of \1 passed\)/);
    const notes = panel.getByRole('list', { name: 'Notes' });
    await expect(notes).toContainText(
      'Output names already used by existing features: log_lot_area'
    );
    await expect(notes).toContainText('Suggestion:');
    await expect(
      panel.locator('.jp-JupyterExt-check.jp-mod-failed')
    ).toHaveCount(0);
    await testInfo.attach('panel-name-note', {
      body: await panel.screenshot(),
      contentType: 'image/png'
    });
  });

  test('progress while validating, then stale once the cell is edited', async ({
    page
  }) => {
    const panel = await showCell(page, CELL.good);
    // Hold the server's answer to see the progress state.
    let release: () => void = () => undefined;
    const held = new Promise<void>(resolve => (release = resolve));
    let intercepted = 0;
    await page.route(VALIDATE_URL, async route => {
      intercepted++;
      await held;
      await route.continue();
    });
    await panel
      .getByRole('button', { name: 'Validate the active cell' })
      .click();
    const section = panel.locator('.jp-JupyterExt-validation');
    await expect(section).toHaveAttribute('data-state', 'validating');
    await expect(section).toContainText('Validating: running the checks');
    await expect(
      panel.getByRole('button', { name: 'Validate the active cell' })
    ).toBeDisabled();
    await expect(panel).toHaveScreenshot('panel-validating.png', {
      animations: 'disabled'
    });
    release();
    await expect(section).toHaveAttribute('data-state', 'done', {
      timeout: VALIDATION_TIMEOUT
    });
    expect(intercepted).toBe(1);
    await page.unroute(VALIDATE_URL);

    // When the user edits the cell, the report is marked stale
    await page.notebook.enterCellEditingMode(CELL.good);
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# tweak');
    await expect(section).toHaveAttribute('data-state', 'stale');
    await expect(section).toContainText(
      'The cell changed since this report was made.'
    );
    await page.keyboard.press('Escape');
    await expect(panel).toHaveScreenshot('panel-stale.png', {
      mask: volatile(panel),
      stylePath: SCREENSHOT_CSS
    });
  });

  test("a cell that is not valid Python: the server's message and Retry", async ({
    page
  }) => {
    await page.notebook.setCell(
      CELL.nan,
      'code',
      'input = "Lot Area"\nname = ('
    );
    const panel = await showCell(page, CELL.nan, { waitForModule: false });
    await validate(panel);
    const alert = panel.locator('.jp-JupyterExt-validation [role="alert"]');
    await expect(alert).toContainText('The validation could not run:');
    await expect(alert).toContainText(/line \d+/);
    await expect(alert.getByRole('button', { name: 'Retry' })).toBeVisible();
    await expect(panel).toHaveScreenshot('panel-error.png');

    // Fixed and retried: the report replaces the error
    await page.notebook.setCell(
      CELL.nan,
      'code',
      'input = "Lot Area"\ntransformer = None\nname = "Raw lot area"'
    );
    await page.notebook.selectCells(CELL.nan);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect(panel.locator('.jp-JupyterExt-validation')).toHaveAttribute(
      'data-state',
      'done',
      { timeout: VALIDATION_TIMEOUT }
    );
  });

  test('the toolbar button is enabled on code cells only', async ({ page }) => {
    const button = submitToolbarButton(page);
    // (the jp-button web component renders a native button inside)
    const native = button.locator('button');
    await page.notebook.selectCells(CELL.good);
    await expect(button).toContainText('Submit feature');
    await expect(native).toBeEnabled();
    await page.notebook.selectCells(CELL.intro);
    await expect(native).toBeDisabled();
    await page.notebook.selectCells(CELL.nan);
    await expect(native).toBeEnabled();
  });
});

test.describe('Auto-validate and the shortcut', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'jupyter-ext:plugin': { autoValidate: true }
    }
  });

  test.beforeEach(async ({ page, tmpPath }) => {
    await openFixture(page, tmpPath);
  });

  test('running a cell validates it when auto-validate is on', async ({
    page
  }) => {
    // (auto-validation works while the panel is open)
    const panel = await showCell(page, CELL.helper);
    const section = panel.locator('.jp-JupyterExt-validation');
    // The helper runs first, so the feature cell runs without error; the
    // panel stays on the cell that ran and validates it (not a feature).
    await page.notebook.runCell(CELL.helper);
    await expect(panel).toContainText(`Module of cell ${CELL.helper}`);
    await expect(section).toHaveAttribute('data-state', /^(done|error)$/, {
      timeout: VALIDATION_TIMEOUT
    });

    // When the feature cell, where Shift+Enter moved the cursor, is run in
    // place (Ctrl+Enter)
    await page.keyboard.press('Control+Enter');

    // Then the panel moves to it and validates it without a click
    await expect(panel).toContainText(`Module of cell ${CELL.good}`);
    await expect(section).toHaveAttribute('data-state', 'done', {
      timeout: VALIDATION_TIMEOUT
    });
    await expect(panel.locator('.jp-JupyterExt-verdict')).toHaveText(
      'All checks passed and the feature is accepted.'
    );
  });

  test('Alt+V validates the active cell', async ({ page }) => {
    const panel = await showCell(page, CELL.nan);
    await page.notebook.selectCells(CELL.nan);
    await page.keyboard.press('Alt+v');
    await expect(panel.locator('.jp-JupyterExt-validation')).toHaveAttribute(
      'data-state',
      'done',
      { timeout: VALIDATION_TIMEOUT }
    );
    await expect(
      panel.locator('.jp-JupyterExt-check.jp-mod-failed')
    ).toHaveAttribute('data-check', 'NoMissingValuesCheck');
  });
});
