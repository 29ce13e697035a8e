/**
 * What the UI tests do again and again, as a person would: open a fixture
 * notebook, select a cell, open the Feature panel, validate, sign in.
 */
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator, Page } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

/** Cells of notebooks/ames.ipynb, by index. */
export const CELL = {
  intro: 0,
  helper: 1,
  good: 2,
  nan: 3,
  rejected: 4,
  submit: 5
};

/** First validations start the worker (data + existing features). */
export const VALIDATION_TIMEOUT = 120 * 1000;

/** Upload a fixture notebook into the test's folder and open it. */
export async function openFixture(
  page: IJupyterLabPageFixture,
  tmpPath: string,
  name = 'ames.ipynb'
): Promise<void> {
  await page.contents.uploadFile(
    path.resolve(__dirname, 'notebooks', name),
    `${tmpPath}/${name}`
  );
  await page.notebook.openByPath(`${tmpPath}/${name}`);
  await page.notebook.activate(name);
}

/** The Feature panel. */
export function featurePanel(page: Page): Locator {
  return page.locator('#jupyter-ext-feature-panel');
}

/**
 * Select cell `index` and show the Feature panel (its command); by default
 * wait until the panel shows the cell's extracted module.
 */
export async function showCell(
  page: IJupyterLabPageFixture,
  index: number,
  options: { waitForModule?: boolean } = {}
): Promise<Locator> {
  await page.notebook.selectCells(index);
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('jupyter-ext:open-panel')
  );
  const panel = featurePanel(page);
  await expect(panel).toBeVisible();
  await expect(panel).toContainText(`Module of cell ${index}`);
  if (options.waitForModule ?? true) {
    await expect(panel.getByLabel('Feature module source')).toBeVisible();
  }
  return panel;
}

/** Click Validate and wait for the report (or error) to be on screen. */
export async function validate(panel: Locator): Promise<void> {
  await panel.getByRole('button', { name: 'Validate the active cell' }).click();
  await expect(panel.locator('.jp-JupyterExt-validation')).toHaveAttribute(
    'data-state',
    /^(done|error)$/,
    { timeout: VALIDATION_TIMEOUT }
  );
}

/**
 * Sign in with the device flow, approving the code on the local forge's
 * activation page in a second tab, as a person would on github.com.
 */
export async function signInWithDeviceFlow(
  page: Page,
  login = 'alice'
): Promise<void> {
  const panel = featurePanel(page);
  await panel.getByRole('button', { name: 'Sign in' }).click();
  const dialog = page.locator('.jp-Dialog');
  const code = dialog.getByLabel('Sign-in code');
  await expect(code).toHaveText(/^\w{4}-\w{4}$/);
  const link = dialog.locator('a.jp-JupyterExt-deviceLink');
  const href = (await link.getAttribute('href'))!;

  const forge = await page.context().newPage();
  await forge.goto(href);
  await forge.getByLabel('Code').fill((await code.textContent())!);
  await forge.getByLabel('Sign in as').selectOption(login);
  await forge.getByRole('button', { name: 'Authorize' }).click();
  await expect(forge.getByText(`Device approved for ${login}`)).toBeVisible();
  await forge.close();

  await expect(dialog).toContainText(`Signed in as ${login}.`, {
    timeout: 30 * 1000
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
}

/** Make sure the server holds a GitHub identity (earlier tests may sign out). */
export async function ensureSignedIn(page: Page): Promise<void> {
  const status = featurePanel(page).getByLabel('GitHub sign-in status');
  await expect(status).toContainText(/Signed in as|Not signed in/);
  if ((await status.textContent())!.includes('Not signed in')) {
    await signInWithDeviceFlow(page);
  }
  await expect(status).toContainText('Signed in as alice');
}

/** The notebook toolbar's "Submit feature" button (a jp-button). */
export function submitToolbarButton(page: Page): Locator {
  return page.locator(
    '.jp-NotebookPanel-toolbar [data-jp-item-name="jupyter-ext-submit"] jp-button'
  );
}

/**
 * Parts of a report that change from run to run or with the demo project
 * (timings, the data's fingerprint, how many features exist), masked in
 * screenshots; the model score is hidden by screenshot.css.
 */
export function volatile(panel: Locator): Locator[] {
  return [panel.locator('.jp-JupyterExt-footnote dd')];
}

/** The stylesheet applied while taking element screenshots. */
export const SCREENSHOT_CSS = path.resolve(__dirname, 'screenshot.css');

/**
 * The web root of the local forge the `lab` server submits to (written by
 * jupyter_server_test_config.py when it started the forge).
 */
export function forgeUrl(): string {
  const state =
    process.env.JUPYTER_EXT_UI_STATE ??
    path.resolve(__dirname, '..', '.jupyter-ext');
  const ready = path.join(
    state,
    `forge-${process.env.JUPYTER_EXT_UI_PORT}`,
    'ready.json'
  );
  return JSON.parse(fs.readFileSync(ready, 'utf-8')).web_url.replace(/\/$/, '');
}
