/**
 * The Project tab's plugin: its model (bound to this page's server), the
 * commands its buttons run (open a feature's source, insert it, explore a
 * column), a palette entry, and the tab itself in the Feature panel.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import {
  ITranslator,
  nullTranslator,
  TranslationBundle
} from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { IDisposable } from '@lumino/disposable';

import { features, IDiscoveryFeature } from './api';
import type { FeaturePanel } from './panel';
// The model and the commands are needed during activation (the panel's tab and
// the palette); the tab's view is small. Lazy imports would gain nothing.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { FeatureSourceWidget, ProjectCommandIDs } from './project';
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { exploreCells, featureCell, ProjectModel } from './projectModel';
import { IFeaturePanel } from './tokens';

/**
 * Insert code cells below the current notebook's active cell and make the
 * last one active. False when no notebook is open.
 */
export function insertCellsBelow(
  tracker: INotebookTracker,
  sources: string[]
): boolean {
  const panel = tracker.currentWidget;
  const notebook = panel?.content;
  const model = notebook?.model;
  if (!panel || !notebook || !model) {
    return false;
  }
  const index = Math.max(notebook.activeCellIndex, -1) + 1;
  model.sharedModel.insertCells(
    index,
    sources.map(source => ({ cell_type: 'code', source, metadata: {} }))
  );
  notebook.activeCellIndex = index + sources.length - 1;
  notebook.deselectAll();
  const cell = notebook.activeCell;
  if (cell) {
    void notebook.scrollToCell(cell);
  }
  return true;
}

export interface IProjectCommandContext {
  model: ProjectModel;
  trans: TranslationBundle;
  /** Put code cells below the active cell; false without a notebook. */
  insert(sources: string[]): boolean;
  /** Show a feature's source read-only. */
  openSource(feature: IDiscoveryFeature): void;
  /** Show the Project tab. */
  showTab(): void;
  notifyError(message: string): void;
}

/**
 * Register the Project tab's commands; dispose the results to remove them.
 */
export function addProjectCommands(
  commands: CommandRegistry,
  ctx: IProjectCommandContext
): IDisposable[] {
  const { model, trans } = ctx;
  const insert = (sources: string[]) => {
    if (!ctx.insert(sources)) {
      ctx.notifyError(
        trans.__('Open a notebook first: the cells go below its active cell.')
      );
      return false;
    }
    return true;
  };
  const featureArg = (args: any) => model.feature(String(args.path ?? ''));
  const pathArgs = {
    args: {
      type: 'object' as const,
      properties: {
        path: {
          type: 'string',
          description: 'the feature file, relative to the project'
        }
      },
      required: ['path']
    }
  };
  return [
    commands.addCommand(ProjectCommandIDs.show, {
      label: trans.__('Show Project Features and Unexplored Columns'),
      caption: trans.__(
        "The project's features, and the columns they leave unexplored"
      ),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => ctx.showTab()
    }),
    commands.addCommand(ProjectCommandIDs.openSource, {
      label: args => {
        const f = featureArg(args);
        return f
          ? trans.__('Open the Source of %1', f.name)
          : trans.__('Open Feature Source');
      },
      describedBy: pathArgs,
      isEnabled: args => !!featureArg(args)?.source,
      execute: args => {
        const f = featureArg(args);
        if (f) {
          ctx.openSource(f);
        }
      }
    }),
    commands.addCommand(ProjectCommandIDs.insertFeature, {
      label: trans.__('Insert Feature into Notebook'),
      caption: trans.__('Insert a feature as a new cell, to learn from'),
      describedBy: pathArgs,
      isEnabled: args => !!featureArg(args)?.source,
      execute: args => {
        const f = featureArg(args);
        return f ? insert([featureCell(f)]) : false;
      }
    }),
    commands.addCommand(ProjectCommandIDs.exploreColumn, {
      label: args =>
        args.column
          ? trans.__('Explore Column %1', String(args.column))
          : trans.__('Explore Column'),
      caption: trans.__(
        'Insert a plot of the column against the target and a feature template'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: { column: { type: 'string' } },
          required: ['column']
        }
      },
      isEnabled: args => !!model.column(String(args.column ?? '')),
      execute: args => {
        const column = model.column(String(args.column ?? ''));
        if (!column) {
          return false;
        }
        const cells = exploreCells(column, model.view);
        return insert([cells.plot, cells.feature]);
      }
    })
  ];
}

/**
 * The Project tab: model, commands, palette entry, and the tab in the panel.
 */
export const projectPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-ext:project',
  description:
    "The Feature panel's Project tab: existing features and unexplored columns.",
  autoStart: true,
  requires: [IFeaturePanel, INotebookTracker],
  optional: [ITranslator, IEditorLanguageRegistry, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    panel: FeaturePanel,
    tracker: INotebookTracker,
    translator: ITranslator | null,
    languages: IEditorLanguageRegistry | null,
    palette: ICommandPalette | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyter_ext');
    const settings = app.serviceManager.serverSettings;
    const model = new ProjectModel({
      fetch: path => features(path, settings),
      notebookPath: () => tracker.currentWidget?.context.path ?? null
    });
    const openSource = (feature: IDiscoveryFeature) => {
      const id = FeatureSourceWidget.idFor(feature.path);
      const open = Array.from(app.shell.widgets('main')).find(w => w.id === id);
      if (open && (open as FeatureSourceWidget).feature === feature) {
        app.shell.activateById(id);
        return;
      }
      open?.dispose(); // an older version of the same file
      const widget = new FeatureSourceWidget(feature, {
        trans,
        languages,
        onInsert: () =>
          void app.commands.execute(ProjectCommandIDs.insertFeature, {
            path: feature.path
          })
      });
      app.shell.add(widget, 'main', { mode: 'split-right' });
      app.shell.activateById(id);
    };
    addProjectCommands(app.commands, {
      model,
      trans,
      insert: sources => {
        const done = insertCellsBelow(tracker, sources);
        if (done && tracker.currentWidget) {
          app.shell.activateById(tracker.currentWidget.id);
        }
        return done;
      },
      openSource,
      showTab: () => {
        panel.tab = 'project';
        app.shell.activateById(panel.id);
      },
      notifyError: message => Notification.error(message, { autoClose: 8000 })
    });
    palette?.addItem({
      command: ProjectCommandIDs.show,
      category: trans.__('Feature')
    });
    panel.project = model;
  }
};
