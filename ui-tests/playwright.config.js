/**
 * Playwright configuration for the Galata UI tests, in Debian's Chromium
 * (Playwright's own browser downloads are unreachable here).
 *
 * Two JupyterLab servers, each with the demo project and its own local forge
 * (see jupyter_server_test_config.py): one at the root URL, one under a
 * JupyterHub-style prefix (/user/alice/) for the base_url tests. Their ports
 * are chosen once by the runner and reach the workers and the servers
 * through the environment.
 */
const { execFileSync } = require('child_process');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

function freePort() {
  const script =
    'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); ' +
    'print(s.getsockname()[1])';
  return execFileSync('python3', ['-c', script]).toString().trim();
}

for (const name of ['JUPYTER_EXT_UI_PORT', 'JUPYTER_EXT_UI_PREFIXED_PORT']) {
  if (!process.env[name]) {
    process.env[name] = freePort();
  }
}
const port = process.env.JUPYTER_EXT_UI_PORT;
const prefixedPort = process.env.JUPYTER_EXT_UI_PREFIXED_PORT;
const PREFIX = '/user/alice/';

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['html', { open: 'never' }]],
  // One JupyterLab at a time on a 2-core machine; validation is CPU-bound.
  workers: 1,
  retries: 0,
  timeout: 120 * 1000,
  use: {
    ...baseConfig.use,
    // A common laptop screen: the notebook toolbar keeps its buttons.
    viewport: { width: 1366, height: 768 },
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
    timeout: 30 * 1000,
    toHaveScreenshot: { maxDiffPixelRatio: 0.02 }
  },
  projects: [
    {
      name: 'lab',
      testIgnore: /base-url\.spec\.ts/
    },
    {
      name: 'base-url',
      testMatch: /base-url\.spec\.ts/,
      use: {
        baseURL: `http://localhost:${prefixedPort}${PREFIX}`.replace(/\/$/, '')
      }
    }
  ],
  webServer: [
    {
      command: 'jlpm start',
      url: `http://localhost:${port}/lab`,
      timeout: 180 * 1000,
      reuseExistingServer: false,
      // Let Jupyter stop its kernels and the forge, and remove its folders.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10 * 1000 },
      env: { JUPYTER_EXT_UI_PORT: port }
    },
    {
      command: 'jlpm start',
      url: `http://localhost:${prefixedPort}${PREFIX}lab`,
      timeout: 180 * 1000,
      reuseExistingServer: false,
      // Let Jupyter stop its kernels and the forge, and remove its folders.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10 * 1000 },
      env: {
        JUPYTER_EXT_UI_PORT: prefixedPort,
        JUPYTER_EXT_UI_BASE_URL: PREFIX
      }
    }
  ]
};
