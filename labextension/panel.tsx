/**
 * The Feature side panel: a React view over `FeatureModel`, re-rendered on
 * its `changed` signal. It holds no state of its own beyond what is open or
 * collapsed; everything it shows comes from the model.
 */
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { IExtraction, IExtractionWarning } from './api';
import { CodeView } from './codeview';
import { featureIcon } from './icons';
import { FeatureModel, Handshake } from './model';

export namespace FeaturePanel {
  export interface IOptions {
    model: FeatureModel;
    trans: TranslationBundle;
    languages?: IEditorLanguageRegistry | null;
  }
}

/**
 * The right-side "Feature" panel.
 */
export class FeaturePanel extends ReactWidget {
  constructor(options: FeaturePanel.IOptions) {
    super();
    this.model = options.model;
    this._trans = options.trans;
    this._languages = options.languages ?? null;
    this.id = 'jupyter-ext-feature-panel';
    this.addClass('jp-JupyterExt-panel');
    this.title.icon = featureIcon;
    this.title.caption = this._trans.__('Feature');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', this._trans.__('Feature panel'));
    // Nothing is sent to the server until the panel is on screen.
    this.model.visible = false;
  }

  readonly model: FeatureModel;

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => (
          <FeatureView
            model={this.model}
            trans={this._trans}
            languages={this._languages}
          />
        )}
      </UseSignal>
    );
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.visible = this.isVisible;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.visible = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.visible = false;
  }

  private _trans: TranslationBundle;
  private _languages: IEditorLanguageRegistry | null;
}

interface IViewProps {
  model: FeatureModel;
  trans: TranslationBundle;
  languages: IEditorLanguageRegistry | null;
}

/**
 * The whole panel body.
 */
export function FeatureView(props: IViewProps): JSX.Element {
  const { model, trans } = props;
  return (
    <div className="jp-JupyterExt-body">
      <header className="jp-JupyterExt-header">
        <h2 className="jp-JupyterExt-title">{trans.__('Feature')}</h2>
      </header>
      <HandshakeBanner handshake={model.handshake} trans={trans} />
      {model.handshake.status === 'ok' ||
      model.handshake.status === 'pending' ? (
        <ExtractionSection {...props} />
      ) : null}
    </div>
  );
}

/**
 * Says clearly when the server extension is missing or of another version.
 */
function HandshakeBanner(props: {
  handshake: Handshake;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { handshake, trans } = props;
  switch (handshake.status) {
    case 'pending':
    case 'ok':
      return null;
    case 'missing':
      return (
        <div className="jp-JupyterExt-banner jp-JupyterExt-error" role="alert">
          <p>
            {trans.__(
              'The jupyter-ext server extension is not available on this Jupyter server, so cells cannot be extracted, validated or submitted.'
            )}
          </p>
          <p>
            {trans.__(
              'Install it in the environment that runs Jupyter (pip install jupyter_ext), check that "jupyter server extension list" shows it enabled, then restart JupyterLab.'
            )}
          </p>
          <p className="jp-JupyterExt-detail">
            {trans.__('Server answer: %1', handshake.message)}
          </p>
        </div>
      );
    case 'mismatch':
      return (
        <div className="jp-JupyterExt-banner jp-JupyterExt-error" role="alert">
          <p>
            {trans.__(
              'Version mismatch: this JupyterLab extension speaks API version %1, but the server extension (jupyter_ext %2) speaks API version %3.',
              handshake.expected,
              handshake.info.version,
              handshake.info.api_version
            )}
          </p>
          <p>
            {trans.__(
              'Install the same version of jupyter_ext for both (pip install -U jupyter_ext) and restart JupyterLab.'
            )}
          </p>
        </div>
      );
  }
}

/**
 * The active cell's extracted module, its warnings and what it pulled in.
 */
function ExtractionSection(props: IViewProps): JSX.Element {
  const { model, trans, languages } = props;
  const state = model.extraction;
  const active = model.active;

  if (!active) {
    return (
      <p className="jp-JupyterExt-hint">
        {trans.__(
          'Open a notebook and select a code cell: its feature module appears here.'
        )}
      </p>
    );
  }
  if (model.activeCellType !== 'code') {
    return (
      <p className="jp-JupyterExt-hint">
        {trans.__(
          'This is a %1 cell. Select a code cell that defines a feature to see the module it becomes.',
          model.activeCellType ?? ''
        )}
      </p>
    );
  }
  const current =
    state.status !== 'idle' && state.cellId === active.cellId ? state : null;
  if (
    !current ||
    current.status === 'loading' ||
    current.status === 'not-code'
  ) {
    return (
      <p className="jp-JupyterExt-hint" aria-busy="true">
        <span className="jp-JupyterExt-spinner" aria-hidden="true" />
        {trans.__('Extracting the module of cell %1…', model.activeIndex)}
      </p>
    );
  }
  if (current.status === 'error') {
    return (
      <div className="jp-JupyterExt-error" role="alert">
        <p>
          {current.httpStatus === 400
            ? trans.__('This cell cannot become a feature module yet:')
            : trans.__('Extraction failed:')}
        </p>
        <p className="jp-JupyterExt-message">{current.message}</p>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => void model.refresh()}
        >
          {trans.__('Retry')}
        </button>
      </div>
    );
  }
  return (
    <ModuleView
      extraction={current.extraction}
      cellIndex={model.activeIndex}
      stale={model.extractionStale}
      trans={trans}
      languages={languages}
    />
  );
}

function ModuleView(props: {
  extraction: IExtraction;
  cellIndex: number;
  stale: boolean;
  trans: TranslationBundle;
  languages: IEditorLanguageRegistry | null;
}): JSX.Element {
  const { extraction, trans } = props;
  return (
    <section
      className="jp-JupyterExt-module"
      aria-label={trans.__('Extracted module')}
    >
      <h3 className="jp-JupyterExt-sectionTitle">
        {trans.__('Module of cell %1', props.cellIndex)}
      </h3>
      {props.stale ? (
        <p className="jp-JupyterExt-stale" role="status">
          {trans.__('The cell was edited since; run it to refresh the module.')}
        </p>
      ) : null}
      <WarningList warnings={extraction.warnings} trans={trans} />
      <CodeView
        code={extraction.module}
        label={trans.__('Feature module source')}
        languages={props.languages}
      />
      {extraction.dependencies.length > 0 ? (
        <p className="jp-JupyterExt-dependencies">
          {trans.__('Pulled in from earlier cells:')}{' '}
          {extraction.dependencies.map((d, i) => (
            <React.Fragment key={`${d.name}-${i}`}>
              {i > 0 ? ', ' : ''}
              <code title={trans.__('%1 from cell %2', d.kind, d.cell_index)}>
                {d.name}
              </code>
            </React.Fragment>
          ))}
        </p>
      ) : null}
    </section>
  );
}

function WarningList(props: {
  warnings: IExtractionWarning[];
  trans: TranslationBundle;
}): JSX.Element | null {
  const { warnings, trans } = props;
  if (warnings.length === 0) {
    return null;
  }
  return (
    <ul
      className="jp-JupyterExt-warnings"
      aria-label={trans.__('Extraction warnings')}
    >
      {warnings.map((w, i) => (
        <li key={i} className="jp-JupyterExt-warning" data-code={w.code}>
          <span className="jp-JupyterExt-warningIcon" aria-hidden="true">
            ⚠
          </span>
          <span>
            {w.message}
            {w.cell_index !== null && w.cell_index !== undefined
              ? ' ' +
                (w.line
                  ? trans.__('(cell %1, line %2)', w.cell_index, w.line)
                  : trans.__('(cell %1)', w.cell_index))
              : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}
