/**
 * Playwright configuration for the Galata UI tests, in Debian's Chromium
 * (Playwright's own browser downloads are unreachable here).
 *
 * The JupyterLab server runs on a free port chosen once by the runner; the
 * port travels to the workers (and to the server) through the environment.
 */
const { execFileSync } = require('child_process');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

function freePort() {
  const script =
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); ' +
    'print(s.getsockname()[1])';
  return execFileSync('python3', ['-c', script]).toString().trim();
}

if (!process.env.JUPYTER_EXT_UI_PORT) {
  process.env.JUPYTER_EXT_UI_PORT = freePort();
}
const port = process.env.JUPYTER_EXT_UI_PORT;

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['html', { open: 'never' }]],
  // One JupyterLab, one kernel at a time on a 2-core machine.
  workers: 1,
  retries: 0,
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    },
    // Video recording needs Playwright's own ffmpeg, which is not installed.
    video: 'off',
    trace: 'retain-on-failure'
  },
  expect: {
    toHaveScreenshot: { maxDiffPixelRatio: 0.02 }
  },
  webServer: {
    command: 'jlpm start',
    url: `http://localhost:${port}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: false,
    env: { JUPYTER_EXT_UI_PORT: port }
  }
};
