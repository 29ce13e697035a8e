/**
 * The plugins of jupyter-ext. Each is small and does one thing; none awaits
 * in `activate` (the server handshake, the sign-in status and the settings
 * load in the background and the panel shows them when they arrive).
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { ISignal, Signal } from '@lumino/signaling';

// The client, the models, the cell tracker, the panel and the flows are
// needed during activation or at the first click, and the whole bundle is
// small: lazy imports would gain nothing.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { createClient, IClient } from './api';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { AuthModel } from './auth';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addCommands, PALETTE_COMMANDS } from './commands';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { signInFlow, submitFlow } from './flows';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { FeatureModel } from './model';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { FeaturePanel } from './panel';
import { projectPlugin } from './projectPlugin';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { SubmissionsModel } from './submissions';
import {
  DEFAULT_SETTINGS,
  IExtSettings,
  IFeaturePanel,
  IJupyterExt
} from './tokens';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { followActiveCell } from './tracker';

/** The translation domain of every visible string. */
const DOMAIN = 'jupyter_ext';

/** The plugin that owns schema/plugin.json. */
const CORE_ID = 'jupyter-ext:plugin';

function bundle(translator: ITranslator | null): TranslationBundle {
  return (translator ?? nullTranslator).load(DOMAIN);
}

/**
 * The shared service: models bound to one server, and the settings.
 */
class Service implements IJupyterExt {
  constructor(
    readonly client: IClient,
    readonly model: FeatureModel,
    readonly auth: AuthModel,
    readonly submissions: SubmissionsModel
  ) {}

  readonly settings: IExtSettings = { ...DEFAULT_SETTINGS };

  get settingsChanged(): ISignal<this, IExtSettings> {
    return this._settingsChanged;
  }

  applySettings(values: Partial<IExtSettings>): void {
    Object.assign(this.settings, DEFAULT_SETTINGS, values);
    this._settingsChanged.emit(this.settings);
  }

  private _settingsChanged = new Signal<this, IExtSettings>(this);
}

/**
 * The core: a client bound to this page's server (its base URL included),
 * the handshake, the models, and the settings. Owns schema/plugin.json
 * (settings, shortcuts, the notebook toolbar's "Submit feature").
 */
const core: JupyterFrontEndPlugin<IJupyterExt> = {
  id: CORE_ID,
  description: 'Follows the active notebook cell and talks to the server.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry, ITranslator],
  provides: IJupyterExt,
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    registry: ISettingRegistry | null,
    translator: ITranslator | null
  ): IJupyterExt => {
    const client = createClient(app.serviceManager.serverSettings);
    const model = new FeatureModel({ client });
    const auth = new AuthModel({ client });
    const submissions = new SubmissionsModel({ client });
    const ext = new Service(client, model, auth, submissions);

    void model.checkServer().then(handshake => {
      if (handshake.status === 'ok') {
        void auth.refresh();
      }
    });
    followActiveCell(tracker, {
      activeChanged: snapshot => model.setActiveCell(snapshot),
      executed: (snapshot, ranCellShown) =>
        model.cellExecuted(snapshot, ranCellShown),
      sourceChanged: (cellId, source) =>
        model.activeSourceChanged(cellId, source)
    });

    if (registry) {
      void registry
        .load(CORE_ID)
        .then(settings => {
          const apply = () => {
            ext.applySettings(settings.composite as Partial<IExtSettings>);
            model.autoValidate = ext.settings.autoValidate;
          };
          settings.changed.connect(apply);
          apply();
        })
        .catch(reason => {
          Notification.warning(
            bundle(translator).__(
              'Feature submission: could not load its settings (%1); using the defaults.',
              String(reason)
            )
          );
        });
    }
    return ext;
  }
};

/**
 * The Feature side panel, on the side the settings say.
 */
const panel: JupyterFrontEndPlugin<FeaturePanel> = {
  id: 'jupyter-ext:panel',
  description: 'The Feature side panel: module, validation, submissions.',
  autoStart: true,
  requires: [IJupyterExt],
  optional: [ITranslator, ILayoutRestorer, IEditorLanguageRegistry],
  provides: IFeaturePanel,
  activate: (
    app: JupyterFrontEnd,
    ext: IJupyterExt,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    languages: IEditorLanguageRegistry | null
  ): FeaturePanel => {
    const widget = new FeaturePanel({
      model: ext.model,
      auth: ext.auth,
      submissions: ext.submissions,
      commands: app.commands,
      trans: bundle(translator),
      languages
    });
    let side = ext.settings.panelPosition;
    app.shell.add(widget, side, { rank: 650 });
    restorer?.add(widget, widget.id);

    let opened = false;
    ext.settingsChanged.connect((_, settings) => {
      if (settings.panelPosition !== side) {
        side = settings.panelPosition;
        app.shell.add(widget, side, { rank: 650 });
      }
      if (settings.openPanelOnStart && !opened) {
        opened = true;
        void app.restored.then(() => app.shell.activateById(widget.id));
      }
    });
    return widget;
  }
};

/**
 * Commands (validate, submit, sign in/out, open the panel), their palette
 * entries, and the toolbar button's enabled state.
 */
const commands: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-ext:commands',
  description: 'Validate, submit, sign in: commands, palette, toolbar.',
  autoStart: true,
  requires: [IJupyterExt, IFeaturePanel],
  optional: [ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    ext: IJupyterExt,
    widget: FeaturePanel,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ) => {
    const trans = bundle(translator);
    const openPanel = (tab: 'feature' | 'submissions' = 'feature') => {
      widget.tab = tab;
      app.shell.activateById(widget.id);
    };
    const flow = {
      model: ext.model,
      auth: ext.auth,
      trans,
      confirmBeforeSubmit: () => ext.settings.confirmBeforeSubmit,
      openPanel: () => openPanel('feature')
    };
    addCommands(app.commands, {
      model: ext.model,
      auth: ext.auth,
      trans,
      openPanel,
      submit: () => submitFlow(flow),
      signIn: () => signInFlow(flow),
      notifyError: message => Notification.error(message, { autoClose: 8000 })
    });

    // Toolbar buttons and menus re-read isEnabled only when told.
    let enabled = '';
    const notify = () => {
      const now = [
        ext.model.isCodeCell,
        ext.model.validation.status,
        ext.model.submission.status,
        ext.auth.status?.signed_in,
        ext.auth.status?.method
      ].join();
      if (now !== enabled) {
        enabled = now;
        app.commands.notifyCommandChanged();
      }
    };
    ext.model.changed.connect(notify);
    ext.auth.changed.connect(notify);
    ext.auth.changed.connect(() => {
      // A new identity: the list of submissions belongs to someone else.
      if (widget.tab === 'submissions') {
        void ext.submissions.refresh();
      }
    });

    const category = trans.__('Feature');
    for (const command of PALETTE_COMMANDS) {
      palette?.addItem({ command, category });
    }
  }
};

export default [core, panel, commands, projectPlugin];
