/**
 * Submitting a feature from the notebook toolbar to the local forge: the
 * confirm dialog, the PR link (a PR that really exists there), the update on
 * resubmission, and the Submissions tab.
 */
import { expect, test } from '@jupyterlab/galata';

import {
  CELL,
  ensureSignedIn,
  featurePanel,
  forgeUrl,
  openFixture,
  showCell,
  submitToolbarButton
} from './helpers';

const SUBMIT_TIMEOUT = 180 * 1000;

test.describe('Submit feature', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await openFixture(page, tmpPath);
  });

  test('opens a PR on the forge, then updates it on resubmission', async ({
    page
  }) => {
    test.setTimeout(6 * 60 * 1000);
    await showCell(page, CELL.submit);
    await ensureSignedIn(page);
    const toolbarButton = submitToolbarButton(page);
    const dialog = page.locator('.jp-Dialog');

    // When the user clicks "Submit feature" in the notebook toolbar
    await page.notebook.selectCells(CELL.submit);
    await toolbarButton.click();

    // Then a confirm dialog shows the module and where it goes
    await expect(dialog).toContainText('Submit this feature?');
    await expect(dialog.getByLabel('Module to submit')).toContainText(
      'name = "Kitchen quality for review"'
    );
    await expect(dialog).toContainText('user_alice/feature_');
    await expect(dialog.locator('.jp-Dialog-content')).toHaveScreenshot(
      'dialog-confirm.png'
    );
    await dialog.getByRole('button', { name: 'Submit', exact: true }).click();

    // Then a success dialog links to the pull request
    await expect(dialog).toContainText('Pull request opened', {
      timeout: SUBMIT_TIMEOUT
    });
    const link = dialog.getByRole('link', { name: /^Pull request #\d+ in / });
    await expect(link).toContainText('demo/ames-house-prices');
    const prUrl = (await link.getAttribute('href'))!;
    await expect(dialog).toContainText('submit-feature/');
    await expect(dialog.locator('.jp-Dialog-content')).toHaveScreenshot(
      'dialog-pr-opened.png',
      { mask: [link] }
    );

    // And the PR exists on the forge, with the feature in it
    const prPage = await page.context().newPage();
    const response = await prPage.goto(prUrl);
    expect(response!.status()).toBe(200);
    await expect(prPage.locator('body')).toContainText(
      'Kitchen quality for review'
    );
    await prPage.close();
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The panel remembers the PR
    const panel = featurePanel(page);
    await expect(panel.locator('.jp-JupyterExt-submitted')).toContainText(
      'Opened pull request'
    );

    // When the user changes the feature and submits again
    await page.notebook.setCell(
      CELL.submit,
      'code',
      'input = "Kitchen Qual"\n' +
        'transformer = quality_score\n' +
        'name = "Kitchen quality for review"\n' +
        'description = "Kitchen quality, 1 (poor) to 5 (excellent): second version."'
    );
    await page.notebook.selectCells(CELL.submit);
    await toolbarButton.click();
    await expect(dialog).toContainText('Update your pull request?');
    await dialog.getByRole('button', { name: 'Submit', exact: true }).click();

    // Then the same PR is updated
    await expect(dialog).toContainText('Pull request updated', {
      timeout: SUBMIT_TIMEOUT
    });
    await expect(dialog).toContainText('Updated existing PR');
    expect(await link.getAttribute('href')).toBe(prUrl);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // And the Submissions tab lists it, open, with its link
    await panel.getByRole('tab', { name: 'My submissions' }).click();
    const item = panel
      .locator('.jp-JupyterExt-pr')
      .filter({ has: page.locator(`a[href="${prUrl}"]`) });
    await expect(item).toHaveCount(1);
    await expect(item.getByLabel('state: open')).toBeVisible();
  });

  test('a failing feature asks before submitting anyway', async ({ page }) => {
    await showCell(page, CELL.nan);
    await ensureSignedIn(page);
    const panel = featurePanel(page);
    await panel
      .getByRole('button', { name: 'Validate the active cell' })
      .click();
    await expect(panel.locator('.jp-JupyterExt-validation')).toHaveAttribute(
      'data-state',
      'done',
      { timeout: 120 * 1000 }
    );
    await panel
      .getByRole('button', { name: 'Submit the active cell as a pull request' })
      .click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('does not pass validation');
    await expect(
      dialog.getByRole('button', { name: 'Submit anyway' })
    ).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  });

  test("GitHub fails: the server's message, and Try again finishes the job", async ({
    page,
    request
  }) => {
    test.setTimeout(4 * 60 * 1000);
    await showCell(page, CELL.good);
    await ensureSignedIn(page);
    // Given GitHub will refuse to open the next pull request
    const fault = await request.post(`${forgeUrl()}/_forge/faults`, {
      data: {
        method: 'POST',
        route: '/repos/{owner}/{repo}/pulls',
        status: 502,
        message: 'Server Error: GitHub is having a bad day'
      }
    });
    expect(fault.status()).toBe(201);

    // When the user submits
    await page.notebook.selectCells(CELL.good);
    await submitToolbarButton(page).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByRole('button', { name: 'Submit', exact: true }).click();

    // Then they read what GitHub said and what to do
    await expect(dialog).toContainText('Submission failed', {
      timeout: 180 * 1000
    });
    await expect(dialog).toContainText('GitHub is having a bad day');
    await expect(dialog).toContainText('Submitting again is safe');
    await expect(dialog.locator('.jp-Dialog-content')).toHaveScreenshot(
      'dialog-submit-failed.png'
    );

    // When they try again, the same submission finishes: one PR
    await dialog.getByRole('button', { name: 'Try again' }).click();
    await expect(dialog).toContainText('Pull request opened', {
      timeout: 180 * 1000
    });
    await expect(
      dialog.getByRole('link', { name: /^Pull request #\d+ in / })
    ).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();
  });
});
