/**
 * The Project tab's model: the server's discovery view (existing features,
 * column coverage, unexplored columns), the tab's two searches, and the
 * cells the tab inserts into a notebook. No JupyterLab widgets here, so jest
 * tests it directly.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  IDiscoveryColumn,
  IDiscoveryFeature,
  IDiscoveryView,
  IUnexploredColumn
} from './api';
import { errorMessage } from './model';
import { APIError } from './request';

export type ProjectState =
  | { status: 'idle' }
  | { status: 'loading'; previous: IDiscoveryView | null }
  | { status: 'ready'; view: IDiscoveryView }
  | {
      status: 'error';
      message: string;
      httpStatus: number;
      previous: IDiscoveryView | null;
    };

export namespace ProjectModel {
  export interface IOptions {
    /** `GET features` for a notebook's project (api.ts `features`). */
    fetch: (notebookPath: string | null) => Promise<IDiscoveryView>;
    /** The current notebook's path, so its own project is shown. */
    notebookPath?: () => string | null;
  }
}

export class ProjectModel {
  constructor(options: ProjectModel.IOptions) {
    this._fetch = options.fetch;
    this._notebookPath = options.notebookPath ?? (() => null);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): ProjectState {
    return this._state;
  }

  /** The view on screen: the last one received, also while reloading. */
  get view(): IDiscoveryView | null {
    switch (this._state.status) {
      case 'ready':
        return this._state.view;
      case 'loading':
      case 'error':
        return this._state.previous;
      default:
        return null;
    }
  }

  /** The features table's search text. */
  get featureQuery(): string {
    return this._featureQuery;
  }

  set featureQuery(query: string) {
    if (query !== this._featureQuery) {
      this._featureQuery = query;
      this._changed.emit();
    }
  }

  /** The coverage table's search text. */
  get columnQuery(): string {
    return this._columnQuery;
  }

  set columnQuery(query: string) {
    if (query !== this._columnQuery) {
      this._columnQuery = query;
      this._changed.emit();
    }
  }

  /** Features whose name, author, description, inputs, outputs or file match. */
  get features(): IDiscoveryFeature[] {
    return filterFeatures(this.view?.features ?? [], this._featureQuery);
  }

  /** Columns matching the search (name, type, or a feature reading it), by rank. */
  get columns(): IDiscoveryColumn[] {
    return filterColumns(this.view?.columns ?? [], this._columnQuery);
  }

  get unexplored(): IUnexploredColumn[] {
    return this.view?.unexplored ?? [];
  }

  /** The largest I(column; y | features): the coverage bars' full width. */
  get maxInformation(): number {
    return maxInformation(this.view?.columns ?? []);
  }

  feature(path: string): IDiscoveryFeature | null {
    return this.view?.features.find(f => f.path === path) ?? null;
  }

  column(name: string): IDiscoveryColumn | null {
    return this.view?.columns.find(c => c.name === name) ?? null;
  }

  /** Load the view unless it is loaded or loading (when the tab is shown). */
  async ensureLoaded(): Promise<void> {
    if (this._state.status === 'idle' || this._state.status === 'error') {
      await this.refresh();
    }
  }

  /** Ask the server again (a partial view continues, a changed project is redone). */
  async refresh(): Promise<void> {
    const seq = ++this._seq;
    this._set({ status: 'loading', previous: this.view });
    try {
      const view = await this._fetch(this._notebookPath());
      if (seq !== this._seq) {
        return;
      }
      if (view.error) {
        this._set({
          status: 'error',
          message: view.error.message,
          httpStatus: 200,
          previous: null
        });
      } else {
        this._set({ status: 'ready', view });
      }
    } catch (error) {
      if (seq === this._seq) {
        this._set({
          status: 'error',
          message: errorMessage(error),
          httpStatus: error instanceof APIError ? error.status : 0,
          previous: this.view
        });
      }
    }
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _set(state: ProjectState): void {
    this._state = state;
    this._changed.emit();
  }

  private _fetch: ProjectModel.IOptions['fetch'];
  private _notebookPath: () => string | null;
  private _changed = new Signal<this, void>(this);
  private _state: ProjectState = { status: 'idle' };
  private _featureQuery = '';
  private _columnQuery = '';
  private _seq = 0;
}

/* ----------------------------------------------------------------------------
 * Pure helpers (exported for tests)
 */

function matches(query: string, fields: (string | null | undefined)[]) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const text = fields.filter(Boolean).join('\n').toLowerCase();
  return words.every(w => text.includes(w));
}

export function filterFeatures(
  features: IDiscoveryFeature[],
  query: string
): IDiscoveryFeature[] {
  return features.filter(f =>
    matches(query, [
      f.name,
      f.author,
      f.description,
      f.path,
      ...f.input,
      ...f.output
    ])
  );
}

export function filterColumns(
  columns: IDiscoveryColumn[],
  query: string
): IDiscoveryColumn[] {
  return columns
    .filter(c => matches(query, [c.name, c.type, ...c.features]))
    .sort((a, b) => a.rank - b.rank);
}

export function maxInformation(columns: IDiscoveryColumn[]): number {
  return columns.reduce(
    (top, c) => Math.max(top, c.conditional_mutual_information ?? 0),
    0
  );
}

/** A bar's width in [0, 1]; a positive value is never invisible. */
export function barFraction(value: number | null, max: number): number {
  if (value === null || !(value > 0) || !(max > 0)) {
    return 0;
  }
  return Math.max(0.02, Math.min(1, value / max));
}

/** A Python string literal (JSON's escapes are valid Python). */
function py(text: string): string {
  return JSON.stringify(text);
}

/** A Python comment line per line of `text`. */
function comment(text: string): string {
  return text
    .split('\n')
    .map(line => `# ${line}`.trimEnd())
    .join('\n');
}

/**
 * The cell "Insert into notebook" adds: the feature's module, headed by where
 * it comes from, to read and adapt.
 */
export function featureCell(feature: IDiscoveryFeature): string {
  const by = feature.author ? ` by ${feature.author}` : '';
  const header = comment(
    `Feature "${feature.name}"${by}, from ${feature.path}.\n` +
      'An existing feature, to learn from: change it before you submit it.'
  );
  return `${header}\n${(feature.source ?? '').trimEnd()}\n`;
}

/**
 * The two cells "Explore this column" adds: a quick plot of the column
 * against the target, then a feature template that reads the column (its own
 * cell, so it extracts to a clean feature module).
 *
 * The plot cell uses `X_df` and `y_df`, the names the project's notebooks
 * load the data into (Ballet's convention).
 */
export function exploreCells(
  column: Pick<
    IDiscoveryColumn,
    | 'name'
    | 'type'
    | 'missing'
    | 'feature_count'
    | 'conditional_mutual_information'
  >,
  view: Pick<IDiscoveryView, 'target' | 'project'> | null
): { plot: string; feature: string } {
  const name = column.name;
  const target = view?.target || 'the target';
  const classification = view?.project?.problem_type === 'classification';
  const info = column.conditional_mutual_information;
  const used =
    column.feature_count === 0
      ? 'no feature reads it yet'
      : column.feature_count === 1
        ? 'one feature reads it'
        : `${column.feature_count} features read it`;
  const why =
    info === null
      ? used
      : `${used}; it tells ${info.toFixed(3)} nats about ${target} beyond the existing features`;
  const lines = [
    comment(`Explore ${py(name)} against ${target} (${why}).`),
    comment('Needs X_df, y_df = load_data() from an earlier cell.'),
    'import matplotlib.pyplot as plt',
    '',
    `column = X_df[${py(name)}]`,
    'target = y_df.squeeze()  # one column as a Series',
    `print(f"{column.isna().sum()} of {len(column)} values missing, {column.nunique()} distinct")`,
    'fig, ax = plt.subplots(figsize=(7, 4))'
  ];
  if (column.type === 'numeric' && !classification) {
    lines.push(
      'ax.scatter(column, target, s=6, alpha=0.4)',
      `ax.set(xlabel=${py(name)}, ylabel=${py(target)}, title=${py(`${target} by ${name}`)})`
    );
  } else if (column.type === 'numeric') {
    lines.push(
      'for label, values in column.groupby(target):',
      '    ax.hist(values.dropna(), bins=30, alpha=0.5, label=str(label))',
      `ax.set(xlabel=${py(name)}, ylabel="rows", title=${py(`${name} by class`)})`,
      'ax.legend()'
    );
  } else {
    const values =
      column.type === 'text'
        ? 'column.fillna("").str.split().str.len()'
        : 'column.fillna("(missing)")';
    lines.push(`values = ${values}`);
    if (column.type === 'text') {
      lines.push(
        'ax.scatter(values, target, s=6, alpha=0.4)',
        `ax.set(xlabel=${py(`${name}: words`)}, ylabel=${py(target)})`
      );
    } else if (classification) {
      lines.push(
        'top = values.value_counts().index[:15]',
        'shares = target.groupby(values).value_counts(normalize=True).unstack(fill_value=0)',
        'shares.loc[top].plot.barh(stacked=True, ax=ax)',
        `ax.set(xlabel="share of rows", title=${py(`Classes by ${name}`)})`
      );
    } else {
      lines.push(
        'top = values.value_counts().index[:15]  # the most frequent levels',
        'ax.boxplot([target[values == level] for level in top], vert=False)',
        'ax.set_yticks(range(1, len(top) + 1), top)',
        `ax.set(xlabel=${py(target)}, title=${py(`${target} by ${name}`)})`
      );
    }
  }
  lines.push('fig.tight_layout()');
  return { plot: lines.join('\n'), feature: featureTemplate(column) };
}

function featureTemplate(
  column: Pick<IDiscoveryColumn, 'name' | 'type' | 'missing'>
): string {
  const name = column.name;
  const title = name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();
  if (column.type === 'categorical') {
    return [
      'from sklearn.preprocessing import OneHotEncoder',
      '',
      `input = [${py(name)}]`,
      '# One 0/1 column per level; levels seen fewer than 30 times share one column,',
      '# missing values are a level of their own.',
      'transformer = OneHotEncoder(handle_unknown="ignore", min_frequency=30, sparse_output=False)',
      `name = ${py(title)}`,
      `description = ${py(`${name}, one-hot encoded.`)}`
    ].join('\n');
  }
  if (column.type === 'text') {
    return [
      `input = ${py(name)}`,
      '',
      '',
      'def word_count(values):',
      '    # Free text: derive a number from it (here its length in words).',
      '    return values.fillna("").str.split().str.len()',
      '',
      '',
      'transformer = word_count',
      `name = ${py(`${title}: words`)}`,
      `description = ${py(`Number of words in ${name}.`)}`
    ].join('\n');
  }
  const fill =
    column.missing > 0
      ? [
          'from sklearn.impute import SimpleImputer',
          '',
          `input = [${py(name)}]`,
          `# ${column.missing} values are missing: a feature must fill them (here with the median).`,
          '# Then try more: a log, a ratio to another column, a threshold...',
          'transformer = SimpleImputer(strategy="median")'
        ]
      : [
          `input = ${py(name)}`,
          '',
          '',
          'def transform(values):',
          '    # Start from the raw values; try a log, a ratio to another column, a threshold...',
          '    return values',
          '',
          '',
          'transformer = transform'
        ];
  return [
    ...fill,
    `name = ${py(title)}`,
    `description = ${py(`${name}, as a feature.`)}`
  ].join('\n');
}
