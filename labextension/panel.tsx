/**
 * The Feature side panel: React views over the models (FeatureModel,
 * AuthModel, SubmissionsModel), re-rendered on their `changed` signals. It
 * keeps no state of its own beyond which tab is open; buttons run commands,
 * so the panel, the palette, the toolbar and the shortcuts behave alike.
 */
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { ISignal } from '@lumino/signaling';
import * as React from 'react';

import { IExtraction, IExtractionWarning, ISubmission } from './api';
import { AuthModel } from './auth';
import { CodeView } from './codeview';
import { CommandIDs } from './commands';
import { featureIcon } from './icons';
import { FeatureModel, Handshake } from './model';
import { ProjectTab } from './project';
import type { ProjectModel } from './projectModel';
import { ReportView } from './report';
import { SubmissionsModel } from './submissions';

export namespace FeaturePanel {
  export interface IOptions {
    model: FeatureModel;
    trans: TranslationBundle;
    /** Sign-in state; without it the panel shows no token indicator. */
    auth?: AuthModel | null;
    /** The Submissions tab's list; without it there is no such tab. */
    submissions?: SubmissionsModel | null;
    /** The Project tab (features, column coverage); set by jupyter-ext:project. */
    project?: ProjectModel | null;
    /** Buttons run these commands; without it they are not shown. */
    commands?: CommandRegistry | null;
    languages?: IEditorLanguageRegistry | null;
  }
}

type Tab = 'feature' | 'submissions' | 'project';

/**
 * The right-side "Feature" panel.
 */
export class FeaturePanel extends ReactWidget {
  constructor(options: FeaturePanel.IOptions) {
    super();
    this.model = options.model;
    this._options = options;
    this.id = 'jupyter-ext-feature-panel';
    this.addClass('jp-JupyterExt-panel');
    this.title.icon = featureIcon;
    this.title.caption = options.trans.__('Feature');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', options.trans.__('Feature panel'));
    // Nothing is sent to the server until the panel is on screen.
    this.model.visible = false;
  }

  readonly model: FeatureModel;

  /** Which tab is open. */
  get tab(): Tab {
    return this._tab;
  }

  set tab(tab: Tab) {
    if (tab === this._tab) {
      return;
    }
    this._tab = tab;
    if (tab === 'submissions') {
      void this._options.submissions?.refresh();
    }
    if (tab === 'project') {
      void this._options.project?.ensureLoaded();
    }
    this.update();
  }

  /** Add (or remove) the Project tab. */
  set project(model: ProjectModel | null) {
    this._options = { ...this._options, project: model };
    this.update();
  }

  protected render(): JSX.Element {
    const { model, auth, submissions } = this._options;
    const signals: ISignal<any, void>[] = [model.changed];
    if (auth) {
      signals.push(auth.changed);
    }
    if (submissions) {
      signals.push(submissions.changed);
    }
    return (
      <UseSignals signals={signals}>
        {() => (
          <PanelView
            {...this._options}
            tab={this._tab}
            onTab={tab => (this.tab = tab)}
          />
        )}
      </UseSignals>
    );
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.visible = this.isVisible;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.visible = true;
    if (this._tab === 'submissions') {
      void this._options.submissions?.refresh();
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.visible = false;
  }

  private _options: FeaturePanel.IOptions;
  private _tab: Tab = 'feature';
}

/**
 * Re-render on any of several signals.
 */
function UseSignals(props: {
  signals: ISignal<any, void>[];
  children: () => JSX.Element;
}): JSX.Element {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const bump = () => setTick(t => t + 1);
    props.signals.forEach(s => s.connect(bump));
    // Catch up with changes emitted between the first render and now.
    bump();
    return () => props.signals.forEach(s => s.disconnect(bump));
  }, props.signals);
  return props.children();
}

interface IViewProps extends FeaturePanel.IOptions {
  tab: Tab;
  onTab: (tab: Tab) => void;
}

/**
 * The whole panel body.
 */
export function PanelView(props: IViewProps): JSX.Element {
  const { model, trans, submissions } = props;
  const ready =
    model.handshake.status === 'ok' || model.handshake.status === 'pending';
  return (
    <div className="jp-JupyterExt-body">
      <header className="jp-JupyterExt-header">
        <h2 className="jp-JupyterExt-title">{trans.__('Feature')}</h2>
      </header>
      {props.auth && ready ? <AuthIndicator {...props} /> : null}
      <HandshakeBanner handshake={model.handshake} trans={trans} />
      {ready && (submissions || props.project) ? <Tabs {...props} /> : null}
      {ready && props.tab === 'feature' ? <FeatureTab {...props} /> : null}
      {ready && props.tab === 'submissions' && submissions ? (
        <SubmissionsTab {...props} submissions={submissions} />
      ) : null}
      {ready && props.tab === 'project' && props.project ? (
        <ProjectTab
          model={props.project}
          trans={trans}
          commands={props.commands}
        />
      ) : null}
    </div>
  );
}

function Tabs(props: IViewProps): JSX.Element {
  const { trans, tab, onTab } = props;
  const tabs: [Tab, string][] = [['feature', trans.__('Active cell')]];
  if (props.submissions) {
    tabs.push(['submissions', trans.__('My submissions')]);
  }
  if (props.project) {
    tabs.push(['project', trans.__('Project')]);
  }
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      const step = event.key === 'ArrowRight' ? 1 : tabs.length - 1;
      const at = tabs.findIndex(([id]) => id === tab);
      onTab(tabs[(at + step) % tabs.length][0]);
      event.preventDefault();
    }
  };
  return (
    <div
      className="jp-JupyterExt-tabs"
      role="tablist"
      aria-label={trans.__('Feature panel views')}
      onKeyDown={onKeyDown}
    >
      {tabs.map(([id, label]) => (
        <button
          key={id}
          role="tab"
          id={`jp-JupyterExt-tab-${id}`}
          aria-selected={tab === id}
          tabIndex={tab === id ? 0 : -1}
          className={
            tab === id ? 'jp-JupyterExt-tab jp-mod-active' : 'jp-JupyterExt-tab'
          }
          onClick={() => onTab(id)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/**
 * The token status: who is signed in to GitHub on the server.
 */
function AuthIndicator(props: IViewProps): JSX.Element {
  const { auth, trans, commands } = props;
  const status = auth!.status;
  let text: string;
  let title: string;
  let action: JSX.Element | null = null;
  let mod = 'jp-mod-unknown';
  if (!status) {
    text = auth!.statusError
      ? trans.__('GitHub: unknown')
      : trans.__('GitHub: checking…');
    title = auth!.statusError ?? '';
  } else if (status.signed_in) {
    mod = 'jp-mod-signedIn';
    text = status.login
      ? trans.__('Signed in as %1', status.login)
      : trans.__('Signed in');
    title =
      status.method === 'device'
        ? trans.__('Signed in to GitHub from this panel')
        : trans.__(
            'GitHub token from the server configuration (%1)',
            status.method
          );
    if (commands) {
      action = (
        <button
          className="jp-JupyterExt-link"
          onClick={() => void commands.execute(CommandIDs.signOut)}
        >
          {trans.__('Sign out')}
        </button>
      );
    }
  } else {
    mod = 'jp-mod-signedOut';
    text = trans.__('Not signed in to GitHub');
    title = status.message
      ? status.message
      : status.device_flow_available
        ? trans.__('Sign in to submit features as pull requests')
        : trans.__(
            'No GitHub token is configured on the server, and sign-in is not set up (no OAuth client id).'
          );
    if (status.device_flow_available && commands) {
      action = (
        <button
          className="jp-Button jp-mod-styled jp-mod-accept jp-JupyterExt-small"
          onClick={() => void commands.execute(CommandIDs.signIn)}
        >
          {trans.__('Sign in')}
        </button>
      );
    }
  }
  return (
    <div
      className={`jp-JupyterExt-auth ${mod}`}
      title={title}
      role="status"
      aria-label={trans.__('GitHub sign-in status')}
    >
      <span className="jp-JupyterExt-authDot" aria-hidden="true" />
      <span className="jp-JupyterExt-authText">{text}</span>
      {action}
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
 * The active cell: actions, validation report, module.
 */
function FeatureTab(props: IViewProps): JSX.Element {
  const { model, trans } = props;
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
  if (!model.isCodeCell) {
    return (
      <p className="jp-JupyterExt-hint">
        {trans.__(
          'This is a %1 cell. Select a code cell that defines a feature to see the module it becomes.',
          model.activeCellType ?? ''
        )}
      </p>
    );
  }
  if (model.isEmptyCodeCell) {
    return (
      <p className="jp-JupyterExt-hint">
        {trans.__(
          'This cell is empty. Write a feature in it (an input column and a transformer), then run the cell to see the module it becomes.'
        )}
      </p>
    );
  }
  return (
    <>
      <Actions {...props} />
      <SubmissionNote {...props} />
      <ValidationSection {...props} />
      <ExtractionSection {...props} />
    </>
  );
}

/**
 * Validate and Submit for the active cell.
 */
function Actions(props: IViewProps): JSX.Element | null {
  const { model, trans, commands } = props;
  if (!commands) {
    return null;
  }
  const validating = model.validation.status === 'validating';
  const submitting = model.submission.status === 'submitting';
  return (
    <div className="jp-JupyterExt-actions">
      <button
        className="jp-Button jp-mod-styled jp-mod-accept"
        disabled={validating}
        aria-label={trans.__('Validate the active cell')}
        onClick={() => void commands.execute(CommandIDs.validate)}
      >
        {validating ? trans.__('Validating…') : trans.__('Validate')}
      </button>
      <button
        className="jp-Button jp-mod-styled jp-mod-reject jp-JupyterExt-submit"
        disabled={submitting}
        aria-label={trans.__('Submit the active cell as a pull request')}
        onClick={() => void commands.execute(CommandIDs.submit)}
      >
        {submitting ? trans.__('Submitting…') : trans.__('Submit feature')}
      </button>
    </div>
  );
}

/**
 * The pull request of the last submission of this cell.
 */
function SubmissionNote(props: IViewProps): JSX.Element | null {
  const { model, trans } = props;
  const state = model.submission;
  if (state.status === 'error') {
    return (
      <div className="jp-JupyterExt-error" role="alert">
        <p>{trans.__('Submission failed:')}</p>
        <p className="jp-JupyterExt-message">{state.message}</p>
      </div>
    );
  }
  if (state.status !== 'done') {
    return null;
  }
  const r = state.result;
  return (
    <p className="jp-JupyterExt-submitted" role="status">
      {r.updated
        ? trans.__('Updated existing pull request')
        : trans.__('Opened pull request')}{' '}
      <a href={r.pr_url} target="_blank" rel="noopener noreferrer">
        {trans.__('#%1 in %2', r.pr_number, r.repo)}
      </a>
    </p>
  );
}

/**
 * The validation of the active cell, in each of its states.
 */
function ValidationSection(props: IViewProps): JSX.Element {
  const { model, trans, commands } = props;
  const state = model.validation;
  const retry = commands ? (
    <button
      className="jp-Button jp-mod-styled jp-mod-reject"
      onClick={() => void commands.execute(CommandIDs.validate)}
    >
      {trans.__('Retry')}
    </button>
  ) : null;
  let body: JSX.Element;
  switch (state.status) {
    case 'idle':
      body = (
        <p className="jp-JupyterExt-hint">
          {trans.__(
            "Validate to run the project's checks on this feature and see whether it adds information."
          )}
        </p>
      );
      break;
    case 'validating':
      body = (
        <div className="jp-JupyterExt-progress" aria-busy="true" role="status">
          <span className="jp-JupyterExt-spinner" aria-hidden="true" />
          {trans.__(
            'Validating: running the checks, then the acceptance test…'
          )}
          <div className="jp-JupyterExt-progressBar" aria-hidden="true" />
        </div>
      );
      break;
    case 'error':
      body = (
        <div className="jp-JupyterExt-error" role="alert">
          <p>
            {state.httpStatus === 504
              ? trans.__('The validation took too long and was stopped:')
              : trans.__('The validation could not run:')}
          </p>
          <p className="jp-JupyterExt-message">{state.message}</p>
          {retry}
        </div>
      );
      break;
    case 'done':
      body = (
        <RenderGuard trans={trans}>
          <ReportView report={state.report} trans={trans} />
        </RenderGuard>
      );
      break;
  }
  return (
    <section
      className="jp-JupyterExt-validation"
      aria-label={trans.__('Validation')}
      data-state={model.validationStale ? 'stale' : state.status}
    >
      {model.validationStale ? (
        <p className="jp-JupyterExt-stale" role="status">
          {trans.__(
            'The cell changed since this report was made. Validate again to update it.'
          )}
        </p>
      ) : null}
      {body}
    </section>
  );
}

/**
 * Shows a message instead of an empty panel if a part fails to render (an
 * answer shaped unlike the contract), so the rest of the panel stays usable.
 */
class RenderGuard extends React.Component<
  { trans: TranslationBundle; children: React.ReactNode },
  { error: string | null }
> {
  state = { error: null as string | null };

  static getDerivedStateFromError(error: unknown): { error: string } {
    return { error: error instanceof Error ? error.message : String(error) };
  }

  render(): React.ReactNode {
    if (this.state.error !== null) {
      return (
        <div className="jp-JupyterExt-error" role="alert">
          <p>
            {this.props.trans.__(
              'The report could not be shown (%1). Validate again, or report this problem.',
              this.state.error
            )}
          </p>
        </div>
      );
    }
    return this.props.children;
  }
}

/**
 * The active cell's extracted module, its warnings and what it pulled in,
 * collapsible.
 */
function ExtractionSection(props: IViewProps): JSX.Element {
  const { model, trans, languages } = props;
  const state = model.extraction;
  const active = model.active!;
  const current =
    state.status !== 'idle' && state.cellId === active.cellId ? state : null;
  let body: JSX.Element;
  if (
    !current ||
    current.status === 'loading' ||
    current.status === 'not-code'
  ) {
    body = (
      <p className="jp-JupyterExt-hint" aria-busy="true">
        <span className="jp-JupyterExt-spinner" aria-hidden="true" />
        {trans.__('Extracting the module of cell %1…', model.activeIndex)}
      </p>
    );
  } else if (current.status === 'empty') {
    // The cell was blank when last read; the user is now typing in it.
    body = (
      <p className="jp-JupyterExt-hint">
        {trans.__('Run the cell to see the module it becomes.')}
      </p>
    );
  } else if (current.status === 'error') {
    body = (
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
  } else {
    body = (
      <ModuleView
        extraction={current.extraction}
        stale={model.extractionStale}
        trans={trans}
        languages={languages ?? null}
      />
    );
  }
  return (
    <details className="jp-JupyterExt-moduleDetails" open>
      <summary className="jp-JupyterExt-sectionTitle">
        {trans.__('Module of cell %1', model.activeIndex)}
        {current?.status === 'ready' && current.extraction.warnings.length
          ? ' ' +
            trans._n(
              '(%1 warning)',
              '(%1 warnings)',
              current.extraction.warnings.length
            )
          : ''}
      </summary>
      {body}
    </details>
  );
}

function ModuleView(props: {
  extraction: IExtraction;
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

/**
 * The user's pull requests with their state.
 */
function SubmissionsTab(
  props: IViewProps & { submissions: SubmissionsModel }
): JSX.Element {
  const { submissions, trans } = props;
  const state = submissions.state;
  const list: ISubmission[] =
    state.status === 'ready'
      ? state.submissions
      : state.status === 'loading'
        ? state.previous
        : [];
  return (
    <section
      className="jp-JupyterExt-submissions"
      role="tabpanel"
      aria-labelledby="jp-JupyterExt-tab-submissions"
    >
      <div className="jp-JupyterExt-actions">
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={state.status === 'loading'}
          onClick={() => void submissions.refresh()}
        >
          {state.status === 'loading'
            ? trans.__('Refreshing…')
            : trans.__('Refresh')}
        </button>
      </div>
      {state.status === 'error' ? (
        <div className="jp-JupyterExt-error" role="alert">
          <p>
            {state.httpStatus === 401
              ? trans.__('Sign in to GitHub to see your submissions.')
              : trans.__('Could not list your submissions:')}
          </p>
          <p className="jp-JupyterExt-message">{state.message}</p>
        </div>
      ) : null}
      {state.status === 'ready' && list.length === 0 ? (
        <p className="jp-JupyterExt-hint">
          {trans.__(
            'No submissions yet. Validate a feature cell, then click "Submit feature".'
          )}
        </p>
      ) : null}
      {list.length > 0 ? (
        <ul className="jp-JupyterExt-prs">
          {list.map(s => (
            <li key={s.pr_url} className="jp-JupyterExt-pr">
              <span
                className={`jp-JupyterExt-prState jp-mod-${s.state}`}
                aria-label={trans.__('state: %1', stateLabel(s.state, trans))}
              >
                {stateLabel(s.state, trans)}
              </span>
              <div className="jp-JupyterExt-prBody">
                <a href={s.pr_url} target="_blank" rel="noopener noreferrer">
                  {s.title || s.file_path}
                </a>
                <span className="jp-JupyterExt-detail">
                  {trans.__('#%1 · %2', s.pr_number, s.file_path)}
                </span>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function stateLabel(state: string, trans: TranslationBundle): string {
  switch (state) {
    case 'open':
      return trans.__('open');
    case 'merged':
      return trans.__('merged');
    case 'closed':
      return trans.__('closed');
    default:
      return state;
  }
}
