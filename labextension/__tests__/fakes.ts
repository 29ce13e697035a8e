/**
 * A fake jupyter-ext server for model tests: every call is a jest mock that
 * the test can make answer now, later (a deferred), or fail like the server.
 */
import {
  API_VERSION,
  IClient,
  ICellSource,
  IExtraction,
  IInfo,
  IValidationReport
} from '../api';
import { ICellSnapshot } from '../model';
import { APIError } from '../request';

export const INFO: IInfo = {
  name: 'jupyter_ext',
  version: '0.1.0',
  api_version: API_VERSION,
  project: null
};

export function fakeClient(overrides: Partial<IClient> = {}): {
  [K in keyof IClient]: jest.Mock;
} {
  const notImplemented = (name: string) =>
    jest.fn(() => Promise.reject(new APIError(`${name}: no fake`, 500)));
  return {
    info: jest.fn(() => Promise.resolve(INFO)),
    extract: jest.fn(ref =>
      Promise.resolve(extraction(`module of ${ref.cell_id}`, ref.cell_id))
    ),
    validate: notImplemented('validate'),
    submit: notImplemented('submit'),
    submissions: jest.fn(() => Promise.resolve([])),
    authStatus: notImplemented('authStatus'),
    authSignOut: notImplemented('authSignOut'),
    authDeviceStart: notImplemented('authDeviceStart'),
    authDevicePoll: notImplemented('authDevicePoll'),
    ...(overrides as any)
  };
}

export function extraction(module: string, cellId = 'c2'): IExtraction {
  return {
    module,
    cell_id: cellId,
    cell_index: 1,
    dependencies: [{ name: 'helper', kind: 'function', cell_index: 0 }],
    warnings: []
  };
}

export const CELLS: ICellSource[] = [
  { id: 'c1', cell_type: 'code', source: 'def helper(x):\n    return x' },
  { id: 'c2', cell_type: 'code', source: 'input = "a"\ntransformer = helper' },
  { id: 'm1', cell_type: 'markdown', source: '# Notes' }
];

/** A notebook snapshot with `cellId` active (cells are copied). */
export function snapshot(
  cellId: string,
  edits: Record<string, string> = {}
): ICellSnapshot {
  return {
    path: 'work/nb.ipynb',
    cellId,
    cells: CELLS.map(c => ({ ...c, source: edits[c.id] ?? c.source }))
  };
}

/** A promise the test resolves or rejects when it wants. */
export class Deferred<T> {
  promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (reason: unknown) => void;
  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}

/** Let pending promise callbacks run (fake timers do not flush them). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
}

export function report(
  overrides: Partial<IValidationReport> = {}
): IValidationReport {
  return {
    passed: true,
    feature: {
      name: 'lot_area_log',
      description: 'log of the lot area',
      input: ['Lot Area'],
      output: ['lot_area_log']
    },
    checks: [
      {
        name: 'IsFeatureCheck',
        passed: true,
        message: null,
        advice: null,
        duration_ms: 0.4
      },
      {
        name: 'NoMissingValuesCheck',
        passed: true,
        message: null,
        advice: null,
        duration_ms: 3
      }
    ],
    acceptance: {
      accepter: 'GFSSFAccepter',
      accepted: true,
      statistic: 0.12,
      threshold: 0.05,
      reason: 'adds information',
      redundant: []
    },
    timings_ms: { extract: 3, checks: 40, acceptance: 120, total: 170 },
    data: { rows: 1963, split: 'train', fingerprint: 'sha256:abcdef0123' },
    extraction: extraction('input = "a"'),
    error: null,
    ...overrides
  };
}
