const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

// ES modules that jest must transform (JupyterLab's own list plus ours).
const esModules = [
  '@codemirror',
  '@marijn',
  '@microsoft',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyter/ydoc',
  'color',
  'exenv-es6',
  'marked',
  '@jupyterlab/',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: [
    'labextension/**/*.{ts,tsx}',
    '!labextension/**/*.d.ts',
    '!labextension/__tests__/**'
  ],
  coverageReporters: ['lcov', 'text'],
  // The venv and the build output hold copies of JupyterLab's package.json.
  modulePathIgnorePatterns: [
    '<rootDir>/.venv',
    '<rootDir>/jupyter_ext/labextension',
    '<rootDir>/ui-tests'
  ],
  testRegex: 'labextension/.*/.*.spec.ts[x]?$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
