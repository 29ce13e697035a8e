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
  // Until the file is loaded the notebook holds one placeholder cell:
  // extracting it would only earn an "empty cell" error.
  if (!panel || !model || !cell || !panel.context.isReady) {
    return null;
  }
  const cells = Array.from(model.cells, c => ({
    id: c.id,
    cell_type: c.type,
    source: c.sharedModel.getSource()
  }));
  const snapshot: ICellSnapshot = {
    path: panel.context.path,
    cells,
    cellId: cell.model.id
  };
  const language = kernelLanguage(model.metadata);
  if (language) {
    snapshot.language = language;
  }
  return snapshot;
}

/**
 * The notebook's language as its metadata says (kernelspec, then
 * language_info), so the server can tell an R notebook from broken Python.
 */
export function kernelLanguage(
  metadata: Record<string, unknown>
): string | undefined {
  const kernelspec = metadata['kernelspec'] as { language?: unknown } | null;
  const info = metadata['language_info'] as { name?: unknown } | null;
  for (const value of [kernelspec?.language, info?.name]) {
    if (typeof value === 'string' && value.trim()) {
      return value.trim();
    }
  }
  return undefined;
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
  /**
   * A cell of the current notebook finished running. `ranCellShown`: the
   * snapshot is about the cell that ran (the user stayed on it, or only
   * Shift+Enter moved them on); otherwise it is about the cell the user
   * went to meanwhile, and only the notebook's content is news.
   */
  executed(snapshot: ICellSnapshot | null, ranCellShown: boolean): void;
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

  // Cells scheduled to run, each with the cell the run moved the cursor to
  // (Shift+Enter) once known: landing there is not "going somewhere else".
  const scheduled = new Map<Cell, Cell | null>();
  // Notebooks still loading that will report again when ready.
  const loading = new Set<NotebookPanel>();

  const onActiveChanged = () => {
    const active = tracker.activeCell;
    for (const [cell, advancedTo] of scheduled) {
      if (advancedTo === null && active && active !== cell) {
        scheduled.set(cell, active);
      }
    }
    watch(active);
    events.activeChanged(currentSnapshot(tracker));
    const panel = tracker.currentWidget;
    if (panel && !panel.context.isReady && !loading.has(panel)) {
      // Ask again, once, when the notebook's cells are there.
      loading.add(panel);
      void panel.context.ready.then(() => {
        loading.delete(panel);
        if (!disposed && tracker.currentWidget === panel) {
          onActiveChanged();
        }
      });
    }
  };

  const onScheduled = (
    _: unknown,
    args: { notebook: Notebook; cell: Cell }
  ) => {
    scheduled.set(args.cell, null);
  };

  const onExecuted = (_: unknown, args: { notebook: Notebook; cell: Cell }) => {
    const advancedTo = scheduled.get(args.cell) ?? null;
    scheduled.delete(args.cell);
    const panel = tracker.currentWidget;
    if (!panel || args.notebook !== panel.content || args.cell.isDisposed) {
      return;
    }
    const active = panel.content.activeCell;
    if (active === args.cell || active === advancedTo) {
      watch(args.cell);
      events.executed(snapshotOf(panel, args.cell), true);
    } else {
      // The user went elsewhere while it ran: stay with them.
      events.executed(currentSnapshot(tracker), false);
    }
  };

  tracker.currentChanged.connect(onActiveChanged);
  tracker.activeCellChanged.connect(onActiveChanged);
  NotebookActions.executionScheduled.connect(onScheduled);
  NotebookActions.executed.connect(onExecuted);
  let disposed = false;
  onActiveChanged();

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
      NotebookActions.executionScheduled.disconnect(onScheduled);
      NotebookActions.executed.disconnect(onExecuted);
      scheduled.clear();
    }
  };
}
