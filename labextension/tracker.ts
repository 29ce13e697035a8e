/**
 * Glue between JupyterLab's notebooks and the Feature model: turns the
 * current notebook and active cell into `ICellSnapshot`s and forwards the
 * events the panel cares about (active cell changed, cell run, cell edited).
 */
import { Cell } from '@jupyterlab/cells';
import {
  INotebookTracker,
  Notebook,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';

import { ICellSnapshot } from './model';

/**
 * The cells of a notebook as the browser has them, with `cellId` active.
 */
export function snapshotOf(
  panel: NotebookPanel | null,
  cell: Cell | null = panel?.content.activeCell ?? null
): ICellSnapshot | null {
  const model = panel?.content.model;
  if (!panel || !model || !cell) {
    return null;
  }
  const cells = Array.from(model.cells, c => ({
    id: c.id,
    cell_type: c.type,
    source: c.sharedModel.getSource()
  }));
  return { path: panel.context.path, cells, cellId: cell.model.id };
}

/**
 * The current notebook's active cell, or null.
 */
export function currentSnapshot(
  tracker: INotebookTracker
): ICellSnapshot | null {
  return snapshotOf(tracker.currentWidget);
}

/**
 * What the glue tells its listener. The "target" cell is the one the panel
 * is about: the active cell, or the cell that just ran (Shift+Enter moves
 * the cursor on before the run ends, and the user wants the run cell).
 */
export interface ICellEvents {
  /** Another cell/notebook became active (or none). */
  activeChanged(snapshot: ICellSnapshot | null): void;
  /** A cell of the current notebook finished running; it is the target. */
  executed(snapshot: ICellSnapshot | null): void;
  /** The target cell's text changed (every keystroke). */
  sourceChanged(cellId: string, source: string): void;
}

/**
 * Follow the current notebook's active (and just-run) cell and report to
 * `events`. Dispose the result to stop following.
 */
export function followActiveCell(
  tracker: INotebookTracker,
  events: ICellEvents
): IDisposable {
  let watched: Cell | null = null;

  const onContentChanged = () => {
    if (watched && !watched.isDisposed) {
      events.sourceChanged(
        watched.model.id,
        watched.model.sharedModel.getSource()
      );
    }
  };

  const watch = (cell: Cell | null) => {
    if (watched === cell) {
      return;
    }
    if (watched && !watched.isDisposed) {
      watched.model.contentChanged.disconnect(onContentChanged);
    }
    watched = cell;
    watched?.model.contentChanged.connect(onContentChanged);
  };

  const onActiveChanged = () => {
    watch(tracker.activeCell);
    events.activeChanged(currentSnapshot(tracker));
  };

  const onExecuted = (_: unknown, args: { notebook: Notebook; cell: Cell }) => {
    const panel = tracker.currentWidget;
    if (panel && args.notebook === panel.content && !args.cell.isDisposed) {
      watch(args.cell);
      events.executed(snapshotOf(panel, args.cell));
    }
  };

  tracker.currentChanged.connect(onActiveChanged);
  tracker.activeCellChanged.connect(onActiveChanged);
  NotebookActions.executed.connect(onExecuted);
  onActiveChanged();

  let disposed = false;
  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      if (disposed) {
        return;
      }
      disposed = true;
      watch(null);
      tracker.currentChanged.disconnect(onActiveChanged);
      tracker.activeCellChanged.disconnect(onActiveChanged);
      NotebookActions.executed.disconnect(onExecuted);
    }
  };
}
