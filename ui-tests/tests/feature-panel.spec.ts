/**
 * The Feature panel, as a person sees it: select a feature cell in a
 * notebook and the panel shows the self-contained module it becomes.
 */
import { expect, test } from '@jupyterlab/galata';
import { Locator, Page } from '@playwright/test';
import * as path from 'path';

const NOTEBOOK = 'features.ipynb';

/**
 * Press the panel's shortcut (Accel Shift J) until the panel shows: the
 * shortcuts from settings are registered a moment after the app starts.
 */
async function openWithShortcut(page: Page): Promise<Locator> {
  const panel = page.locator('#jupyter-ext-feature-panel');
  await expect(async () => {
    await page.keyboard.press('Control+Shift+J');
    await expect(panel).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 30 * 1000 });
  return panel;
}

test.describe('Feature panel', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await page.contents.uploadFile(
      path.resolve(__dirname, 'notebooks', NOTEBOOK),
      `${tmpPath}/${NOTEBOOK}`
    );
    await page.notebook.openByPath(`${tmpPath}/${NOTEBOOK}`);
    await page.notebook.activate(NOTEBOOK);
  });

  test('shows the extracted module of the selected feature cell', async ({
    page
  }, testInfo) => {
    // Given the feature cell (index 2) is selected
    await page.notebook.selectCells(2);

    // When the user opens the panel with its keyboard shortcut
    const panel = await openWithShortcut(page);

    // Then the panel shows the module: the helper from the earlier cell,
    // then the cell's own code
    const source = panel.getByLabel('Feature module source');
    await expect(source).toContainText('def log_plus_one(x):');
    await expect(source).toContainText('input = "Lot Area"');
    await expect(source).toContainText('import math');
    await expect(panel).toContainText('Module of cell 2');
    await expect(panel.getByRole('alert')).toHaveCount(0);

    const shot = await panel.screenshot();
    await testInfo.attach('feature-panel-module', {
      body: shot,
      contentType: 'image/png'
    });
    await expect(panel).toHaveScreenshot('feature-panel-module.png');
  });

  test('gives a hint, not an error, on a markdown cell', async ({ page }) => {
    await page.notebook.selectCells(0);
    const panel = await openWithShortcut(page);
    await expect(panel).toContainText('This is a markdown cell');
    await expect(panel.getByRole('alert')).toHaveCount(0);
  });

  test('follows the active cell', async ({ page }) => {
    await page.notebook.selectCells(1);
    const panel = await openWithShortcut(page);
    const source = panel.getByLabel('Feature module source');
    await expect(source).toContainText('def log_plus_one(x):');
    await expect(source).not.toContainText('input =');

    await page.notebook.selectCells(2);
    await expect(source).toContainText('input = "Lot Area"');
  });

  test('a new empty cell gets a hint, not an error', async ({ page }) => {
    await page.notebook.selectCells(2);
    const panel = await openWithShortcut(page);
    await expect(panel).toContainText('Module of cell 2');

    // When the user inserts a cell below (B in command mode)
    await page.keyboard.press('Escape');
    await page.keyboard.press('b');

    await expect(panel).toContainText('This cell is empty');
    await expect(panel.getByRole('alert')).toHaveCount(0);
  });

  test('a notebook opened with the panel showing is read once its cells are loaded', async ({
    page,
    tmpPath
  }) => {
    // Given the panel is open
    await page.notebook.selectCells(2);
    const panel = await openWithShortcut(page);
    await expect(panel).toContainText('Module of cell 2');

    // When the user opens another notebook, every extraction the panel
    // asks for while it loads is recorded
    const failed: string[] = [];
    page.on('response', response => {
      if (response.url().includes('/jupyter-ext/extract') && !response.ok()) {
        failed.push(`${response.status()} ${response.url()}`);
      }
    });
    const other = `second-${NOTEBOOK}`;
    await page.contents.uploadFile(
      path.resolve(__dirname, 'notebooks', NOTEBOOK),
      `${tmpPath}/${other}`
    );
    await page.notebook.openByPath(`${tmpPath}/${other}`);
    await page.notebook.activate(other);

    // Then the panel shows the new notebook's first cell (a markdown hint),
    // and no request was about the placeholder cell of a notebook still loading
    await expect(panel).toContainText('This is a markdown cell');
    await expect(panel.getByRole('alert')).toHaveCount(0);
    expect(failed).toEqual([]);
  });
});
