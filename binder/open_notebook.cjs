// Open a JupyterLab URL in headless Chromium and report what a person would see:
// is the notebook open, is the jupyter-ext plugin active (its panel exists), is the
// panel shown. Prints one JSON object; exit 0 when all three hold.
//
//   node binder/open_notebook.cjs URL [PLAYWRIGHT_CORE_DIR] [CHROMIUM]
const [url, pwDir, chromium] = process.argv.slice(2);
const { chromium: browserType } = require(pwDir || 'playwright-core');

(async () => {
  const browser = await browserType.launch({
    executablePath: chromium || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run']
  });
  const result = { url: url.replace(/token=\w+/, 'token=***') };
  try {
    const page = await browser.newPage();
    const started = Date.now();
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60000 });
    const notebook = page.locator('.jp-NotebookPanel .jp-Notebook').first();
    await notebook.waitFor({ state: 'visible', timeout: 60000 });
    result.notebookOpen = true;
    result.notebookTitle = await page
      .locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel')
      .first()
      .innerText()
      .catch(() => null);
    const panel = page.locator('#jupyter-ext-feature-panel');
    await panel.waitFor({ state: 'attached', timeout: 30000 });
    result.pluginActive = true;
    result.panelVisible = await panel
      .waitFor({ state: 'visible', timeout: 15000 })
      .then(() => true, () => false);
    result.loadMs = Date.now() - started;
    if (process.env.SCREENSHOT) {
      await page.waitForTimeout(2000);
      await page.screenshot({ path: process.env.SCREENSHOT });
    }
  } catch (err) {
    result.error = String(err && err.message ? err.message.split('\n')[0] : err);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(result));
  process.exit(result.notebookOpen && result.pluginActive && result.panelVisible ? 0 : 1);
})();
