/**
 * The plugins of jupyter-ext. Each is small and does one thing; none awaits
 * in `activate` (the server handshake runs in the background and the panel
 * shows its outcome).
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { createClient } from './api';
import { CommandIDs } from './commands';
import { featureIcon } from './icons';
// The model, the cell tracker and the panel are needed during activation
// (they follow the active cell from the first moment), and the whole bundle
// is a few tens of kB: lazy imports would gain nothing.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { FeatureModel } from './model';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { FeaturePanel } from './panel';
import { IJupyterExt } from './tokens';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { followActiveCell } from './tracker';

/** The translation domain of every visible string. */
const DOMAIN = 'jupyter_ext';

/** The arguments schema of commands that take none. */
const NO_ARGS = { type: 'object' as const, properties: {} };

/**
 * The core: a client bound to this page's server, the handshake, and the
 * model that follows the active notebook cell. Owns schema/plugin.json
 * (settings, shortcuts, toolbar entry).
 */
const core: JupyterFrontEndPlugin<IJupyterExt> = {
  id: 'jupyter-ext:plugin',
  description: 'Follows the active notebook cell and talks to the server.',
  autoStart: true,
  requires: [INotebookTracker],
  provides: IJupyterExt,
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker): IJupyterExt => {
    // The page's own server settings carry its base URL (/user/alice/...).
    const client = createClient(app.serviceManager.serverSettings);
    const model = new FeatureModel({ client });
    void model.checkServer();
    followActiveCell(tracker, {
      activeChanged: snapshot => model.setActiveCell(snapshot),
      executed: snapshot => model.cellExecuted(snapshot),
      sourceChanged: (cellId, source) =>
        model.activeSourceChanged(cellId, source)
    });
    return { client, model };
  }
};

/**
 * The right-side Feature panel and the commands that open/refresh it.
 */
const panel: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-ext:panel',
  description: 'The Feature side panel: the active cell as a feature module.',
  autoStart: true,
  requires: [IJupyterExt],
  optional: [
    ITranslator,
    ILayoutRestorer,
    ICommandPalette,
    IEditorLanguageRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    ext: IJupyterExt,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    languages: IEditorLanguageRegistry | null
  ) => {
    const trans = (translator ?? nullTranslator).load(DOMAIN);
    const widget = new FeaturePanel({ model: ext.model, trans, languages });
    app.shell.add(widget, 'right', { rank: 650 });
    restorer?.add(widget, widget.id);

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open Feature Panel'),
      caption: trans.__(
        'Show the feature module and validation of the active cell'
      ),
      icon: args => (args.isPalette ? undefined : featureIcon),
      describedBy: { args: NO_ARGS },
      execute: () => {
        app.shell.activateById(widget.id);
      }
    });
    app.commands.addCommand(CommandIDs.refresh, {
      label: trans.__('Refresh Feature Module'),
      caption: trans.__('Extract the active cell again'),
      describedBy: { args: NO_ARGS },
      execute: () => ext.model.refresh()
    });

    const category = trans.__('Feature');
    palette?.addItem({ command: CommandIDs.openPanel, category });
    palette?.addItem({ command: CommandIDs.refresh, category });
  }
};

export default [core, panel];
