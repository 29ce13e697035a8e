/**
 * The panel in JupyterLab's dark theme: colours come from theme variables.
 */
import { expect, galata, test } from '@jupyterlab/galata';

import {
  CELL,
  SCREENSHOT_CSS,
  openFixture,
  showCell,
  validate,
  volatile
} from './helpers';

test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    '@jupyterlab/apputils-extension:themes': { theme: 'JupyterLab Dark' }
  }
});

test('dark theme: a validated feature', async ({ page, tmpPath }) => {
  await openFixture(page, tmpPath);
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-light',
    'false'
  );
  const panel = await showCell(page, CELL.good);
  await validate(panel);
  await expect(panel.locator('.jp-JupyterExt-verdict')).toHaveText(
    'All checks passed and the feature is accepted.'
  );
  await expect(panel).toHaveScreenshot('panel-dark.png', {
    mask: volatile(panel),
    stylePath: SCREENSHOT_CSS
  });
});
