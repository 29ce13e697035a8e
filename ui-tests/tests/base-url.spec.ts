/**
 * The whole flow under a JupyterHub-style URL prefix (/user/alice/): the
 * panel's requests go through the page's base URL, never to '/'.
 */
import { expect, test } from '@jupyterlab/galata';

import {
  CELL,
  ensureSignedIn,
  featurePanel,
  openFixture,
  showCell,
  submitToolbarButton,
  validate
} from './helpers';

// Galata's per-test folder fixture ignores the URL prefix (it creates the
// folder at /api/contents), so this test opens JupyterLab and makes its
// folder through the page, which knows the prefix.
test.use({ autoGoto: false });

test('validate and submit under /user/alice/', async ({ page, tmpPath }) => {
  test.setTimeout(6 * 60 * 1000);
  await page.goto();
  expect(page.url()).toContain('/user/alice/lab');
  const outside: string[] = [];
  page.on('request', request => {
    const url = new URL(request.url());
    if (
      url.pathname.includes('jupyter-ext') &&
      !url.pathname.startsWith('/user/alice/')
    ) {
      outside.push(url.pathname);
    }
  });

  await page.contents.createDirectory(tmpPath);
  await openFixture(page, tmpPath);
  const panel = await showCell(page, CELL.good);
  await expect(panel.getByLabel('Feature module source')).toContainText(
    'name = "Garage quality score"'
  );
  await validate(panel);
  await expect(panel.locator('.jp-JupyterExt-verdict')).toHaveText(
    'All checks passed and the feature is accepted.'
  );

  await ensureSignedIn(page);
  await page.notebook.selectCells(CELL.submit);
  await submitToolbarButton(page).click();
  const dialog = page.locator('.jp-Dialog');
  await dialog.getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(dialog).toContainText('Pull request opened', {
    timeout: 180 * 1000
  });
  const href = await dialog
    .getByRole('link', { name: /^Pull request #\d+ in / })
    .getAttribute('href');
  const response = await page.request.get(href!);
  expect(response.status()).toBe(200);
  await dialog.getByRole('button', { name: 'Close' }).click();

  await expect(
    featurePanel(page).locator('.jp-JupyterExt-submitted')
  ).toBeVisible();
  expect(outside).toEqual([]);
  await page.contents.deleteDirectory(tmpPath);
});
