// Measure the demo's Submit: open the starter notebook in headless Chromium, select
// the feature cell, click "Submit feature", confirm, and time until the pull request
// exists on the forge (polled through its API) and until the panel shows its link.
//
//   [PREVALIDATE=1] node binder/submit_probe.cjs LAB_URL FORGE_API_URL FORGE_TOKEN [PLAYWRIGHT_CORE_DIR]
// Prints one JSON object (times in ms).
const [labUrl, forgeApi, forgeToken, pwDir] = process.argv.slice(2);
const { chromium } = require(pwDir || 'playwright-core');

async function pulls() {
  const r = await fetch(`${forgeApi}/repos/demo/ames-house-prices/pulls?state=all`, {
    headers: { Authorization: `token ${forgeToken}` }
  });
  return r.ok ? r.json() : [];
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking']
  });
  const result = {};
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(labUrl, { waitUntil: 'domcontentloaded', timeout: 60000 });
    const cell = page.locator('.jp-CodeCell', { hasText: 'input = "Overall Qual"' });
    await cell.first().waitFor({ state: 'visible', timeout: 60000 });
    await cell.first().locator('.jp-InputArea-editor').click();
    await page.keyboard.press('Escape'); // command mode: the cell stays active
    if (process.env.PREVALIDATE) {
      // As a contributor does: validate first (warms the worker), then submit.
      const validate = page.getByRole('button', { name: 'Validate the active cell' });
      const v0 = Date.now();
      await validate.click();
      await page.getByText('Validating…').first().waitFor({ state: 'visible', timeout: 10000 })
        .catch(() => {});
      await page.getByText('Validating…').first().waitFor({ state: 'hidden', timeout: 300000 });
      result.validateMs = Date.now() - v0;
    }
    const before = (await pulls()).length;
    const submit = page.getByRole('button', { name: 'Submit the active cell as a pull request' });
    await submit.waitFor({ state: 'visible', timeout: 30000 });
    const t0 = Date.now();
    await submit.click();
    const confirm = page.locator('.jp-Dialog button', { hasText: /^Submit( anyway)?$/ });
    await confirm.first().waitFor({ state: 'visible', timeout: 120000 });
    result.dialogMs = Date.now() - t0;
    result.confirmLabel = await confirm.first().innerText();
    const t1 = Date.now();
    await confirm.first().click();
    while ((await pulls()).length <= before) {
      if (Date.now() - t1 > 120000) throw new Error('no PR after 120 s');
      await new Promise(r => setTimeout(r, 50));
    }
    result.confirmToPrMs = Date.now() - t1;
    result.clickToPrMs = Date.now() - t0;
    await page.getByText(/(Opened|Updated existing) pull request/).first()
      .waitFor({ state: 'visible', timeout: 60000 });
    result.confirmToLinkShownMs = Date.now() - t1;
    const pr = (await pulls())[0];
    result.pr = { number: pr.number, title: pr.title, head: pr.head && pr.head.label };
  } catch (err) {
    result.error = String(err && err.message ? err.message.split('\n')[0] : err);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(result));
  process.exit(result.error ? 1 : 0);
})();
