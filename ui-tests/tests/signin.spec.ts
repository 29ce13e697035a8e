/**
 * Signing in to GitHub with the device flow: the code and link in a dialog,
 * approval on the (local) GitHub page in another tab, and the token status.
 */
import { expect, test } from '@jupyterlab/galata';

import { CELL, featurePanel, openFixture, showCell } from './helpers';

test('device-flow sign-in, and sign-out', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath);
  await showCell(page, CELL.good);
  const panel = featurePanel(page);
  const status = panel.getByLabel('GitHub sign-in status');
  await expect(status).toContainText(/Signed in as alice|Not signed in/);

  // Given the user is signed out
  if ((await status.textContent())!.includes('Signed in')) {
    await status.getByRole('button', { name: 'Sign out' }).click();
  }
  await expect(status).toContainText('Not signed in to GitHub');

  // When they click "Sign in"
  await status.getByRole('button', { name: 'Sign in' }).click();
  const dialog = page.locator('.jp-Dialog');
  const code = dialog.getByLabel('Sign-in code');

  // Then the dialog shows a code, a link, and that it waits
  await expect(code).toHaveText(/^\w{4}-\w{4}$/);
  await expect(dialog).toContainText('Waiting for you to authorize');
  const link = dialog.locator('a.jp-JupyterExt-deviceLink');
  await expect(dialog.locator('.jp-Dialog-content')).toHaveScreenshot(
    'dialog-device-code.png',
    { mask: [code, link, dialog.locator('[aria-busy="true"]')] }
  );

  // When they approve the code on the forge's activation page
  const forge = await page.context().newPage();
  await forge.goto((await link.getAttribute('href'))!);
  await forge.getByLabel('Code').fill((await code.textContent())!);
  await forge.getByLabel('Sign in as').selectOption('alice');
  await forge.getByRole('button', { name: 'Authorize' }).click();
  await expect(forge.getByText('Device approved for alice')).toBeVisible();
  await forge.close();

  // Then the dialog says so, and the token status too
  await expect(dialog).toContainText('Signed in as alice.', {
    timeout: 30 * 1000
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(status).toContainText('Signed in as alice');
  await expect(panel.locator('.jp-JupyterExt-header')).toHaveScreenshot(
    'panel-header-signed-in.png'
  );
});
