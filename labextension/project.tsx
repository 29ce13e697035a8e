/**
 * The Feature panel's Project tab: what others have written and what they
 * left unexplored. A searchable table of the project's features (open one's
 * source read-only, or insert it into the notebook to learn from), the
 * columns no feature reads ranked by what they tell about the target beyond
 * the existing features, and every column's coverage with a small bar chart
 * and an "Explore" action. Buttons run commands (projectPlugin.ts), so the
 * panel holds no JupyterLab logic.
 */
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { IDiscoveryColumn, IDiscoveryFeature, IUnexploredColumn } from './api';
import { formatNumber } from './chart';
import { CodeView } from './codeview';
import { featureIcon } from './icons';
import { barFraction, ProjectModel } from './projectModel';

export namespace ProjectCommandIDs {
  /** Show the Feature panel's Project tab. */
  export const show = 'jupyter-ext:show-project';
  /** Open a feature's source read-only in the main area (args: path). */
  export const openSource = 'jupyter-ext:open-feature-source';
  /** Insert a feature's source as a new cell below the active one (args: path). */
  export const insertFeature = 'jupyter-ext:insert-feature';
  /** Insert a plot and a feature template for a column (args: column). */
  export const exploreColumn = 'jupyter-ext:explore-column';
}

export interface IProjectTabProps {
  model: ProjectModel;
  trans: TranslationBundle;
  commands?: CommandRegistry | null;
}

/**
 * The whole tab.
 */
export function ProjectTab(props: IProjectTabProps): JSX.Element {
  const { model, trans } = props;
  useChanged(model);
  const state = model.state;
  const view = model.view;
  return (
    <section
      className="jp-JupyterExt-project"
      role="tabpanel"
      aria-labelledby="jp-JupyterExt-tab-project"
      data-state={state.status}
    >
      <div className="jp-JupyterExt-actions">
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={state.status === 'loading'}
          aria-label={trans.__('Compute the project view again')}
          onClick={() => void model.refresh()}
        >
          {state.status === 'loading'
            ? trans.__('Refreshing…')
            : trans.__('Refresh')}
        </button>
      </div>
      {state.status === 'loading' && !view ? (
        <div className="jp-JupyterExt-progress" aria-busy="true" role="status">
          <span className="jp-JupyterExt-spinner" aria-hidden="true" />
          {trans.__(
            "Reading the project: loading the data, computing every feature and each column's information (kept for next time)…"
          )}
        </div>
      ) : null}
      {state.status === 'error' ? (
        <div className="jp-JupyterExt-error" role="alert">
          <p>
            {state.httpStatus === 404
              ? trans.__('There is no project here:')
              : trans.__('Could not read the project:')}
          </p>
          <p className="jp-JupyterExt-message">{state.message}</p>
        </div>
      ) : null}
      {view ? (
        <>
          <Summary {...props} />
          {view.partial ? (
            <p className="jp-JupyterExt-stale" role="status">
              {trans.__(
                'Some columns are not estimated yet (the time budget ran out). Refresh to continue.'
              )}
            </p>
          ) : null}
          <Unexplored {...props} />
          <Features {...props} />
          <Coverage {...props} />
        </>
      ) : null}
    </section>
  );
}

/** Re-render on the model's `changed` (the tab subscribes on its own). */
function useChanged(model: ProjectModel): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const bump = () => setTick(t => t + 1);
    model.changed.connect(bump);
    bump(); // changes emitted between the first render and now
    return () => {
      model.changed.disconnect(bump);
    };
  }, [model]);
}

function Summary(props: IProjectTabProps): JSX.Element {
  const { model, trans } = props;
  const view = model.view!;
  const authors = new Set(view.features.map(f => f.author).filter(Boolean));
  return (
    <p className="jp-JupyterExt-hint">
      {trans.__(
        '%1 features by %2 contributors; %3 columns; target %4. Information in nats, beyond the noise floor of %5 when marked.',
        view.features.length,
        authors.size,
        view.columns.length,
        view.target ?? '',
        formatNumber(view.noise_floor ?? 0)
      )}
    </p>
  );
}

/**
 * A small inline bar: `value` against the largest value of its table.
 */
export function InfoBar(props: {
  value: number | null;
  max: number;
  informative: boolean;
  label: string;
}): JSX.Element {
  const { value, max, informative, label } = props;
  const fraction = barFraction(value, max);
  return (
    <span
      className="jp-JupyterExt-infoBar"
      role="img"
      aria-label={label}
      title={label}
    >
      <span
        className={
          informative
            ? 'jp-JupyterExt-infoBarFill jp-mod-informative'
            : 'jp-JupyterExt-infoBarFill'
        }
        style={{ width: `${(fraction * 100).toFixed(1)}%` }}
      />
    </span>
  );
}

function nats(value: number | null): string {
  return value === null ? '–' : formatNumber(value);
}

function ExploreButton(props: {
  column: string;
  trans: TranslationBundle;
  commands?: CommandRegistry | null;
}): JSX.Element | null {
  const { column, trans, commands } = props;
  if (!commands) {
    return null;
  }
  return (
    <button
      className="jp-Button jp-mod-styled jp-mod-reject jp-JupyterExt-small"
      aria-label={trans.__('Explore column %1', column)}
      title={trans.__(
        'Insert a plot of %1 against the target and a feature template using it, below the active cell',
        column
      )}
      onClick={() =>
        void commands.execute(ProjectCommandIDs.exploreColumn, { column })
      }
    >
      {trans.__('Explore')}
    </button>
  );
}

function Unexplored(props: IProjectTabProps): JSX.Element {
  const { model, trans, commands } = props;
  const list: IUnexploredColumn[] = model.unexplored;
  const max = model.maxInformation;
  return (
    <section
      className="jp-JupyterExt-unexplored"
      aria-label={trans.__('Unexplored columns')}
    >
      <h3 className="jp-JupyterExt-sectionTitle">
        {trans.__('Unexplored columns')}
      </h3>
      <p className="jp-JupyterExt-detail">
        {trans.__(
          'Read by no feature (or one), most information about the target left first. "informative": a feature on it alone would likely be accepted.'
        )}
      </p>
      {list.length === 0 ? (
        <p className="jp-JupyterExt-hint">
          {trans.__(
            'Every column with information left is already read by features.'
          )}
        </p>
      ) : (
        <ol className="jp-JupyterExt-unexploredList">
          {list.map(c => (
            <li key={c.name} className="jp-JupyterExt-unexploredItem">
              <span className="jp-JupyterExt-columnName">
                {c.name}
                {c.informative ? (
                  <span
                    className="jp-JupyterExt-badge"
                    title={trans.__(
                      'Above the noise floor: a feature on it would likely be accepted'
                    )}
                  >
                    {trans.__('informative')}
                  </span>
                ) : null}
              </span>
              <span className="jp-JupyterExt-detail">
                {c.feature_count === 0
                  ? trans.__('%1, no feature', typeLabel(c.type, trans))
                  : trans._n(
                      '%2, %1 feature',
                      '%2, %1 features',
                      c.feature_count,
                      typeLabel(c.type, trans)
                    )}
              </span>
              <InfoBar
                value={c.conditional_mutual_information}
                max={max}
                informative={c.informative}
                label={trans.__(
                  '%1 nats beyond the existing features',
                  nats(c.conditional_mutual_information)
                )}
              />
              <ExploreButton
                column={c.name}
                trans={trans}
                commands={commands}
              />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Features(props: IProjectTabProps): JSX.Element {
  const { model, trans } = props;
  const features = model.features;
  const total = model.view?.features.length ?? 0;
  return (
    <section
      className="jp-JupyterExt-projectFeatures"
      aria-label={trans.__('Existing features')}
    >
      <h3 className="jp-JupyterExt-sectionTitle">
        {trans.__('Features (%1)', total)}
      </h3>
      <input
        type="search"
        className="jp-JupyterExt-search"
        placeholder={trans.__('Search name, author, column…')}
        aria-label={trans.__('Search features')}
        value={model.featureQuery}
        onChange={event => (model.featureQuery = event.target.value)}
      />
      {total > 0 && features.length === 0 ? (
        <p className="jp-JupyterExt-hint">{trans.__('No feature matches.')}</p>
      ) : null}
      {total === 0 ? (
        <p className="jp-JupyterExt-hint">
          {trans.__('No features yet: yours can be the first.')}
        </p>
      ) : null}
      {features.length > 0 ? (
        <table
          className="jp-JupyterExt-table"
          aria-label={trans.__('Features of the project')}
        >
          <thead>
            <tr>
              <th scope="col">{trans.__('Feature')}</th>
              <th scope="col" title={trans.__('I(feature; target), nats')}>
                {trans.__('Info')}
              </th>
              <th scope="col">
                <span className="jp-JupyterExt-visuallyHidden">
                  {trans.__('Actions')}
                </span>
              </th>
            </tr>
          </thead>
          <tbody>
            {features.map(f => (
              <FeatureRow key={f.path} feature={f} {...props} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function FeatureRow(
  props: IProjectTabProps & { feature: IDiscoveryFeature }
): JSX.Element {
  const { feature: f, trans, commands } = props;
  const open = () =>
    void commands?.execute(ProjectCommandIDs.openSource, { path: f.path });
  return (
    <tr className="jp-JupyterExt-featureRow" data-path={f.path}>
      <td>
        {commands ? (
          <button
            className="jp-JupyterExt-link jp-JupyterExt-featureName"
            title={trans.__('Open the source of %1 (read-only)', f.name)}
            onClick={open}
          >
            {f.name}
          </button>
        ) : (
          <span className="jp-JupyterExt-featureName">{f.name}</span>
        )}
        <div className="jp-JupyterExt-detail">
          {f.author ? trans.__('by %1', f.author) : trans.__('no author')}
          {' · '}
          {f.input.join(', ')}
        </div>
        {f.error ? (
          <div className="jp-JupyterExt-detail jp-JupyterExt-rowError">
            {trans.__('Cannot be computed: %1', f.error)}
          </div>
        ) : null}
      </td>
      <td
        className="jp-JupyterExt-number"
        title={trans.__(
          'I(feature; target) = %1 nats; beyond the other features: %2',
          nats(f.mutual_information),
          nats(f.conditional_mutual_information)
        )}
      >
        {nats(f.mutual_information)}
      </td>
      <td>
        {commands ? (
          <button
            className="jp-Button jp-mod-styled jp-mod-reject jp-JupyterExt-small"
            aria-label={trans.__('Insert %1 into the notebook', f.name)}
            title={trans.__(
              'Insert its source as a new cell below the active one, to learn from'
            )}
            disabled={!f.source}
            onClick={() =>
              void commands.execute(ProjectCommandIDs.insertFeature, {
                path: f.path
              })
            }
          >
            {trans.__('Insert')}
          </button>
        ) : null}
      </td>
    </tr>
  );
}

function Coverage(props: IProjectTabProps): JSX.Element {
  const { model, trans, commands } = props;
  const columns = model.columns;
  const max = model.maxInformation;
  const total = model.view?.columns.length ?? 0;
  return (
    <section
      className="jp-JupyterExt-coverage"
      aria-label={trans.__('Column coverage')}
    >
      <h3 className="jp-JupyterExt-sectionTitle">
        {trans.__('Column coverage (%1)', total)}
      </h3>
      <input
        type="search"
        className="jp-JupyterExt-search"
        placeholder={trans.__('Search column, type, feature…')}
        aria-label={trans.__('Search columns')}
        value={model.columnQuery}
        onChange={event => (model.columnQuery = event.target.value)}
      />
      {total > 0 && columns.length === 0 ? (
        <p className="jp-JupyterExt-hint">{trans.__('No column matches.')}</p>
      ) : null}
      {columns.length > 0 ? (
        <table
          className="jp-JupyterExt-table"
          aria-label={trans.__('Coverage of the raw columns')}
        >
          <thead>
            <tr>
              <th scope="col">{trans.__('Column')}</th>
              <th scope="col" title={trans.__('Missing values')}>
                {trans.__('Missing')}
              </th>
              <th scope="col" title={trans.__('Features reading it')}>
                {trans.__('Used')}
              </th>
              <th
                scope="col"
                title={trans.__(
                  'Information about the target beyond the existing features (nats)'
                )}
              >
                {trans.__('Left')}
              </th>
              <th scope="col">
                <span className="jp-JupyterExt-visuallyHidden">
                  {trans.__('Actions')}
                </span>
              </th>
            </tr>
          </thead>
          <tbody>
            {columns.map(c => (
              <ColumnRow
                key={c.name}
                column={c}
                max={max}
                trans={trans}
                commands={commands}
              />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function ColumnRow(props: {
  column: IDiscoveryColumn;
  max: number;
  trans: TranslationBundle;
  commands?: CommandRegistry | null;
}): JSX.Element {
  const { column: c, max, trans, commands } = props;
  const missing =
    c.missing === 0
      ? '0'
      : `${Math.max(1, Math.round(100 * (c.missing_fraction ?? 0)))}%`;
  return (
    <tr className="jp-JupyterExt-columnRow" data-column={c.name}>
      <td>
        <span className="jp-JupyterExt-columnName">{c.name}</span>
        <div className="jp-JupyterExt-detail">
          {typeLabel(c.type, trans)}
          {c.note ? ` · ${c.note}` : ''}
        </div>
      </td>
      <td
        className="jp-JupyterExt-number"
        title={trans.__('%1 of the rows are missing', c.missing)}
      >
        {missing}
      </td>
      <td
        className="jp-JupyterExt-number"
        title={c.features.join(', ') || trans.__('No feature reads it')}
      >
        {c.feature_count}
      </td>
      <td className="jp-JupyterExt-barCell">
        <InfoBar
          value={c.conditional_mutual_information}
          max={max}
          informative={c.informative}
          label={trans.__(
            '%1: %2 nats beyond the existing features (%3 on its own)',
            c.name,
            nats(c.conditional_mutual_information),
            nats(c.mutual_information)
          )}
        />
      </td>
      <td>
        <ExploreButton column={c.name} trans={trans} commands={commands} />
      </td>
    </tr>
  );
}

function typeLabel(type: string, trans: TranslationBundle): string {
  switch (type) {
    case 'numeric':
      return trans.__('numeric');
    case 'categorical':
      return trans.__('categorical');
    case 'text':
      return trans.__('text');
    default:
      return type;
  }
}

/**
 * A feature's source in the main area, read-only, with what it is and an
 * "Insert into notebook" button.
 */
export class FeatureSourceWidget extends ReactWidget {
  constructor(
    readonly feature: IDiscoveryFeature,
    private _options: {
      trans: TranslationBundle;
      languages?: IEditorLanguageRegistry | null;
      onInsert?: () => void;
    }
  ) {
    super();
    const { trans } = _options;
    this.id = FeatureSourceWidget.idFor(feature.path);
    this.addClass('jp-JupyterExt-sourceView');
    this.title.label = feature.name;
    this.title.caption = trans.__('%1 (read-only)', feature.path);
    this.title.icon = featureIcon;
    this.title.closable = true;
    // In the dock panel the node is a tabpanel labelled by its tab (the name).
  }

  /** One view per feature file: a second click shows the same one. */
  static idFor(path: string): string {
    return `jupyter-ext-source-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  }

  protected render(): JSX.Element {
    const { trans, languages, onInsert } = this._options;
    const f = this.feature;
    return (
      <div className="jp-JupyterExt-body">
        <h2 className="jp-JupyterExt-title">{f.name}</h2>
        <p className="jp-JupyterExt-detail">
          {f.author ? trans.__('by %1', f.author) : ''} · <code>{f.path}</code>
        </p>
        {f.description ? (
          <p className="jp-JupyterExt-description">{f.description}</p>
        ) : null}
        <p className="jp-JupyterExt-detail">
          {trans.__(
            'Reads %1; outputs %2. Tells %3 nats about the target, %4 beyond the other features.',
            f.input.join(', ') || '–',
            f.output.join(', ') || '–',
            nats(f.mutual_information),
            nats(f.conditional_mutual_information)
          )}
        </p>
        {onInsert ? (
          <div className="jp-JupyterExt-actions">
            <button
              className="jp-Button jp-mod-styled jp-mod-accept"
              onClick={onInsert}
            >
              {trans.__('Insert into notebook')}
            </button>
          </div>
        ) : null}
        <CodeView
          code={f.source ?? ''}
          label={trans.__('Feature source (read-only)')}
          languages={languages}
        />
      </div>
    );
  }
}
