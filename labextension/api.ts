/**
 * The HTTP contract of docs/api.md, typed. This module is the only caller of
 * `requestAPI`; widgets and models call these functions (through `IClient`,
 * so tests can hand them a fake server).
 */
import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';

/**
 * The API version this frontend speaks; `GET info` must report the same.
 */
export const API_VERSION = 1;

/* ----------------------------------------------------------------------------
 * Requests
 */

/**
 * One cell as the browser has it (possibly unsaved).
 */
export interface ICellSource {
  id: string;
  cell_type: 'code' | 'markdown' | 'raw' | string;
  source: string;
}

/**
 * Which cell to extract/validate/submit: the notebook as the browser has it
 * plus the active cell's id. (`path` is for messages only.)
 */
export interface ICellReference {
  cells: ICellSource[];
  cell_id: string;
  path?: string;
  /** The notebook's kernel language (its metadata), when known. */
  language?: string;
}

export interface ISubmitRequest extends ICellReference {
  /** Submit although checks failed. */
  force?: boolean;
}

/* ----------------------------------------------------------------------------
 * Responses
 */

export interface IInfo {
  name: string;
  version: string;
  api_version: number;
  project?: IProjectSummary | null;
  auth?: Partial<IAuthStatus>;
}

/**
 * What the server tells about the configured project; every field optional
 * because the contract leaves the shape open.
 */
export interface IProjectSummary {
  name?: string;
  slug?: string;
  package?: string;
  problem_type?: string;
  contrib_path?: string;
  feature_count?: number;
  accepter?: string | null;
  split?: string;
  /** Set instead of the rest when ballet.yml cannot be read. */
  error?: string;
  [key: string]: unknown;
}

export type DependencyKind = 'import' | 'function' | 'class' | 'constant';

export interface IDependency {
  name: string;
  kind: DependencyKind | string;
  cell_index: number;
}

export type WarningCode =
  'magic-dropped' | 'star-import' | 'unresolved-name' | 'runtime-state';

export interface IExtractionWarning {
  code: WarningCode | string;
  message: string;
  cell_index?: number | null;
  line?: number | null;
}

export interface IExtraction {
  module: string;
  cell_id: string;
  cell_index: number;
  dependencies: IDependency[];
  warnings: IExtractionWarning[];
}

export interface ICheckResult {
  name: string;
  passed: boolean;
  /** Not run because an earlier check failed (then `passed` is false). */
  skipped?: boolean;
  message: string | null;
  advice: string | null;
  /** The line in the feature's module, when known. */
  line?: number | null;
  duration_ms?: number;
}

export interface IAcceptance {
  accepter: string;
  accepted: boolean;
  statistic: number | null;
  threshold: number | null;
  reason: string | null;
  redundant: string[];
  redundant_features?: {
    name: string;
    author: string | null;
    path: string;
  }[];
  details?: Record<string, unknown>;
}

/** One figure of the scoring stage: a metric with and without the candidate. */
export interface IScoreFigure {
  metric: string;
  lower_is_better: boolean;
  baseline: number;
  with_feature: number;
  /** with_feature - baseline, in the metric's units. */
  change: number;
  spread: { std: number; ci95: [number, number]; per_fold: number[] };
  /** null when the 95% interval of the change contains zero. */
  helps: boolean | null;
}

/** The report's `score`: what the candidate does to a baseline model. */
export interface IScore extends Partial<IScoreFigure> {
  status: 'scored' | 'skipped' | 'failed';
  reason: string | null;
  scorer?: string;
  folds?: number;
  rows?: number;
  model?: string;
  fallback?: string | null;
  baseline_description?: string;
  /** The headline: in the project's units when configured. */
  sentence?: string;
  score_sentence?: string;
  units?:
    | (IScoreFigure & {
        currency: string | null;
        unit: string | null;
        sentence: string;
      })
    | null;
  warnings?: string[];
  duration_ms: number;
}

export interface IFeatureSummary {
  name: string;
  description?: string | null;
  input: string[];
  output: string[];
  author?: string | null;
  source?: string;
  source_hash?: string;
}

export interface IWorkerError {
  kind: 'timeout' | 'crash' | 'memory' | 'exception' | 'data' | string;
  message: string;
}

export interface IValidationReport {
  passed: boolean;
  feature: IFeatureSummary | null;
  checks: ICheckResult[];
  acceptance: IAcceptance | null;
  /** null when scoring is off in ballet.yml or a check failed. */
  score?: IScore | null;
  timings_ms: Record<string, number>;
  data: {
    rows: number;
    columns?: number;
    split: string;
    fingerprint: string;
  } | null;
  existing_features?: {
    count: number;
    failed: { path: string; message: string }[];
    cache?: Record<string, number>;
  };
  /** Whether `import ballet` got the real package or a stand-in. */
  ballet?: string;
  extraction: IExtraction | null;
  error: IWorkerError | null;
}

export interface ISubmitResult {
  pr_url: string;
  pr_number: number;
  repo: string;
  branch: string;
  file_path: string;
  updated: boolean;
  report: IValidationReport | null;
}

export type SubmissionState = 'open' | 'merged' | 'closed';

export interface ISubmission {
  pr_number: number;
  pr_url: string;
  title: string;
  state: SubmissionState | string;
  branch: string;
  file_path: string;
  updated_at: string;
}

export interface IAuthStatus {
  signed_in: boolean;
  login: string | null;
  method: 'config' | 'env' | 'device' | 'none' | string;
  device_flow_available: boolean;
  /** Why the token could not be checked, or that GitHub rejected it. */
  message?: string | null;
}

export interface IDeviceCode {
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval: number;
}

export type DevicePollState =
  'pending' | 'slow_down' | 'success' | 'expired' | 'denied';

export interface IDevicePoll {
  state: DevicePollState | string;
  login: string | null;
}

/* ----------------------------------------------------------------------------
 * Calls
 */

type Settings = ServerConnection.ISettings | undefined;

function post<T>(endPoint: string, body: unknown, settings: Settings) {
  return requestAPI<T>(
    endPoint,
    { method: 'POST', body: JSON.stringify(body) },
    settings
  );
}

/** `GET info`: versions for the handshake, project and auth summary. */
export function info(settings?: Settings): Promise<IInfo> {
  return requestAPI<IInfo>('info', {}, settings);
}

/** `POST extract`: the cell's self-contained module. */
export function extract(
  ref: ICellReference,
  settings?: Settings
): Promise<IExtraction> {
  return post<IExtraction>('extract', ref, settings);
}

/**
 * A report as the UI may rely on it. The worker leaves out what it could not
 * compute (a module that defines no feature has no name, inputs or outputs;
 * a crash may come without checks), so fill the gaps once, here.
 */
export function normalizeReport(raw: any): IValidationReport {
  const report = { ...(raw ?? {}) };
  const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
  const feature = report.feature;
  report.feature =
    feature && typeof feature.name === 'string'
      ? { ...feature, input: list(feature.input), output: list(feature.output) }
      : null;
  report.checks = list(report.checks);
  report.passed = report.passed === true;
  if (report.acceptance) {
    report.acceptance = {
      ...report.acceptance,
      redundant: list(report.acceptance.redundant)
    };
  } else {
    report.acceptance = null;
  }
  report.timings_ms = report.timings_ms ?? {};
  report.data = report.data ?? null;
  if (report.existing_features) {
    report.existing_features = {
      ...report.existing_features,
      failed: list(report.existing_features.failed)
    };
  }
  report.extraction = report.extraction ?? null;
  report.error = report.error ?? null;
  return report as IValidationReport;
}

/** `POST validate`: checks + acceptance; a failing feature is a 200 report. */
export async function validate(
  ref: ICellReference,
  settings?: Settings
): Promise<IValidationReport> {
  return normalizeReport(await post<unknown>('validate', ref, settings));
}

/** `POST submit`: fork/branch/commit/PR; idempotent per feature. */
export async function submit(
  ref: ISubmitRequest,
  settings?: Settings
): Promise<ISubmitResult> {
  const result = await post<ISubmitResult>('submit', ref, settings);
  return {
    ...result,
    report: result.report ? normalizeReport(result.report) : null
  };
}

/** `GET submissions`: this user's PRs with their state. */
export async function submissions(settings?: Settings): Promise<ISubmission[]> {
  const body = await requestAPI<{ submissions: ISubmission[] }>(
    'submissions',
    {},
    settings
  );
  return body.submissions;
}

/** `GET auth`: whether the server holds a GitHub token (never the token). */
export function authStatus(settings?: Settings): Promise<IAuthStatus> {
  return requestAPI<IAuthStatus>('auth', {}, settings);
}

/** `DELETE auth`: forget the server's device-flow token. */
export async function authSignOut(settings?: Settings): Promise<void> {
  await requestAPI<unknown>('auth', { method: 'DELETE' }, settings);
}

/** `POST auth/device`: start the device flow; returns the code to show. */
export function authDeviceStart(settings?: Settings): Promise<IDeviceCode> {
  return post<IDeviceCode>('auth/device', {}, settings);
}

/** `GET auth/device`: poll the device flow once. */
export function authDevicePoll(settings?: Settings): Promise<IDevicePoll> {
  return requestAPI<IDevicePoll>('auth/device', {}, settings);
}

/* ----------------------------------------------------------------------------
 * `GET features`: the Project tab's view (existing features, column coverage)
 */

export interface IDiscoveryFeature {
  name: string;
  author: string | null;
  description: string | null;
  input: string[];
  output: string[];
  path: string;
  source: string | null;
  source_hash: string;
  /** I(f; y) in nats. */
  mutual_information: number | null;
  /** I(f; y | every other feature) in nats; null when not estimated. */
  conditional_mutual_information: number | null;
  note: string | null;
  error: string | null;
}

export type ColumnType = 'numeric' | 'categorical' | 'text';

export interface IDiscoveryColumn {
  name: string;
  type: ColumnType | string;
  dtype: string;
  missing: number;
  missing_fraction: number | null;
  distinct: number;
  feature_count: number;
  features: string[];
  mutual_information: number | null;
  /** I(column; y | the existing features) in nats. */
  conditional_mutual_information: number | null;
  /** At or above the noise floor. */
  informative: boolean;
  /** 1 = most information left beyond the features. */
  rank: number;
  note: string | null;
  /** A different value in every row, named like an id: never suggested. */
  identifier?: boolean;
}

export interface IUnexploredColumn {
  name: string;
  type: ColumnType | string;
  feature_count: number;
  mutual_information: number | null;
  conditional_mutual_information: number | null;
  missing_fraction: number | null;
  informative: boolean;
  rank: number;
}

export interface IDiscoveryView {
  project?: { name: string; problem_type: string; contrib_path: string };
  target?: string;
  data?: {
    rows: number;
    columns: number;
    estimation_rows: number;
    fingerprint: string;
  };
  units?: string;
  noise_floor?: number;
  few_features?: number;
  features: IDiscoveryFeature[];
  columns: IDiscoveryColumn[];
  unexplored: IUnexploredColumn[];
  failed: { path: string; message: string }[];
  /** The time budget ran out; asking again continues. */
  partial: boolean;
  /** The worker could not produce the view (then the lists are empty). */
  error: IWorkerError | null;
  cache?: { view: 'memory' | 'disk' | null } & Record<string, unknown>;
  timings_ms?: Record<string, number>;
}

/** `GET features`: the project's features and column coverage. */
export function features(
  notebookPath?: string | null,
  settings?: Settings
): Promise<IDiscoveryView> {
  const query = notebookPath
    ? `?${new URLSearchParams({ path: notebookPath }).toString()}`
    : '';
  return requestAPI<IDiscoveryView>(`features${query}`, {}, settings);
}

/**
 * The calls the models need, bound to one server. Models take this interface
 * rather than importing the functions, so jest can hand them a fake server.
 */
export interface IClient {
  info(): Promise<IInfo>;
  extract(ref: ICellReference): Promise<IExtraction>;
  validate(ref: ICellReference): Promise<IValidationReport>;
  submit(ref: ISubmitRequest): Promise<ISubmitResult>;
  submissions(): Promise<ISubmission[]>;
  authStatus(): Promise<IAuthStatus>;
  authSignOut(): Promise<void>;
  authDeviceStart(): Promise<IDeviceCode>;
  authDevicePoll(): Promise<IDevicePoll>;
}

/**
 * An `IClient` talking to the server described by `settings` (by default the
 * page's own server, including its base URL).
 */
export function createClient(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): IClient {
  return {
    info: () => info(settings),
    extract: ref => extract(ref, settings),
    validate: ref => validate(ref, settings),
    submit: ref => submit(ref, settings),
    submissions: () => submissions(settings),
    authStatus: () => authStatus(settings),
    authSignOut: () => authSignOut(settings),
    authDeviceStart: () => authDeviceStart(settings),
    authDevicePoll: () => authDevicePoll(settings)
  };
}
