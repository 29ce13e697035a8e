/**
 * The state behind the Feature panel: the server handshake, the active cell
 * and what the server said about it. No DOM, no JupyterLab widgets: the
 * notebook glue (tracker.ts) pushes cell snapshots in, the panel renders
 * `changed`, and jest drives it with a fake `IClient` and fake timers.
 */
import { ISignal, Signal } from '@lumino/signaling';

import {
  API_VERSION,
  IClient,
  ICellReference,
  ICellSource,
  IExtraction,
  IInfo,
  ISubmitResult,
  IValidationReport
} from './api';
import { APIError } from './request';

/**
 * The active cell and its notebook, as the browser has them (maybe unsaved).
 */
export interface ICellSnapshot {
  /** The notebook's path, for messages. */
  path: string;
  /** All cells in order. */
  cells: ICellSource[];
  /** The active cell's id. */
  cellId: string;
  /** The notebook's kernel language from its metadata, when it says. */
  language?: string;
}

/**
 * Whether this frontend can talk to the server extension.
 */
export type Handshake =
  | { status: 'pending' }
  | { status: 'ok'; info: IInfo }
  | { status: 'missing'; message: string }
  | { status: 'mismatch'; info: IInfo; expected: number };

/**
 * What the panel shows about the active cell's extracted module.
 */
export type ExtractionState =
  /** No notebook or no active cell. */
  | { status: 'idle' }
  /** The active cell is markdown/raw: a hint, not an error. */
  | { status: 'not-code'; cellId: string; cellType: string }
  /** The active code cell is blank (a new cell): a hint, not an error. */
  | { status: 'empty'; cellId: string }
  | { status: 'loading'; cellId: string }
  | {
      status: 'ready';
      cellId: string;
      /** The cell's source the module was extracted from. */
      source: string;
      extraction: IExtraction;
    }
  | {
      status: 'error';
      cellId: string;
      source: string;
      message: string;
      httpStatus: number;
    };

/**
 * The validation of one cell. `source` is the cell's text that was sent, so
 * the panel can tell when the cell was edited since (stale).
 */
export type ValidationState =
  | { status: 'idle' }
  | { status: 'validating'; cellId: string; source: string; startedAt: number }
  | {
      status: 'done';
      cellId: string;
      source: string;
      report: IValidationReport;
      /** Click-to-answer time measured in the browser. */
      elapsedMs: number;
    }
  | {
      status: 'error';
      cellId: string;
      source: string;
      message: string;
      httpStatus: number;
    };

/**
 * The submission of one cell.
 */
export type SubmitState =
  | { status: 'idle' }
  | { status: 'submitting'; cellId: string; source: string }
  | { status: 'done'; cellId: string; source: string; result: ISubmitResult }
  | {
      status: 'error';
      cellId: string;
      source: string;
      message: string;
      httpStatus: number;
    };

export namespace FeatureModel {
  export interface IOptions {
    client: IClient;
    /** Quiet time after the last cell change before asking the server. */
    debounceMs?: number;
    /** Milliseconds since some origin, for timings (tests pass a fake). */
    now?: () => number;
  }
}

/**
 * The Feature panel's model.
 */
export class FeatureModel {
  constructor(options: FeatureModel.IOptions) {
    this._client = options.client;
    this._debounceMs = options.debounceMs ?? 300;
    this._now = options.now ?? (() => performance.now());
  }

  /** Emitted whenever anything the panel shows changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get handshake(): Handshake {
    return this._handshake;
  }

  get extraction(): ExtractionState {
    return this._extraction;
  }

  /** The active cell, or null when no notebook/cell is active. */
  get active(): ICellSnapshot | null {
    return this._active;
  }

  /** The active cell's current source ('' when none). */
  get activeSource(): string {
    return activeCell(this._active)?.source ?? '';
  }

  /** The active cell's type, or null when none is active. */
  get activeCellType(): string | null {
    return activeCell(this._active)?.cell_type ?? null;
  }

  /** The active cell's 0-based position in its notebook, or -1. */
  get activeIndex(): number {
    if (!this._active) {
      return -1;
    }
    const id = this._active.cellId;
    return this._active.cells.findIndex(c => c.id === id);
  }

  /**
   * True when the module shown was extracted from another version of the
   * cell than the one in the editor now (edited since, not yet re-run).
   */
  get extractionStale(): boolean {
    const state = this._extraction;
    return (
      (state.status === 'ready' || state.status === 'error') &&
      state.cellId === this._active?.cellId &&
      state.source !== this.activeSource
    );
  }

  /** The validation of the panel's cell (idle when never validated). */
  get validation(): ValidationState {
    const id = this._active?.cellId;
    return (id && this._validations.get(id)) || IDLE;
  }

  /**
   * True when the report shown is about another version of the cell than
   * the one in the editor now.
   */
  get validationStale(): boolean {
    const state = this.validation;
    return (
      (state.status === 'done' || state.status === 'error') &&
      state.source !== this.activeSource
    );
  }

  /** The submission of the panel's cell (idle when never submitted). */
  get submission(): SubmitState {
    const id = this._active?.cellId;
    return (id && this._submits.get(id)) || IDLE;
  }

  /** Whether the panel's cell is a code cell (validate/submit apply). */
  get isCodeCell(): boolean {
    return this.activeCellType === 'code';
  }

  /** Whether the panel's cell is a code cell with nothing written in it yet. */
  get isEmptyCodeCell(): boolean {
    return this.isCodeCell && this.activeSource.trim() === '';
  }

  /**
   * Validate a cell automatically (debounced) each time it is run.
   */
  get autoValidate(): boolean {
    return this._autoValidate;
  }

  set autoValidate(value: boolean) {
    this._autoValidate = value;
    if (!value) {
      this._cancelAutoValidate();
    }
  }

  /**
   * Whether the panel is on screen. While hidden, cell changes are recorded
   * but nothing is sent to the server; showing it catches up.
   */
  get visible(): boolean {
    return this._visible;
  }

  set visible(value: boolean) {
    if (value === this._visible) {
      return;
    }
    this._visible = value;
    if (value) {
      this._scheduleExtract();
    } else {
      this._cancelExtract();
      this._cancelAutoValidate();
    }
  }

  /**
   * Check that the server extension answers and speaks our API version.
   * Resolves (never rejects) once `handshake` is settled.
   */
  checkServer(): Promise<Handshake> {
    if (!this._handshakePromise) {
      this._handshakePromise = this._checkServer();
    }
    return this._handshakePromise;
  }

  /**
   * The active cell changed (another cell, another notebook, or none).
   * The module is re-extracted after the debounce delay.
   */
  setActiveCell(snapshot: ICellSnapshot | null): void {
    this._active = snapshot;
    this._changed.emit();
    this._scheduleExtract();
  }

  /**
   * A cell was run: its notebook may have changed anywhere, so refresh, and
   * validate it when auto-validate is on (debounced, so "Run All" validates
   * only the last cell). `ranCellShown` is false when the snapshot is about
   * another cell the user went to meanwhile: that one is not validated.
   */
  cellExecuted(snapshot: ICellSnapshot | null, ranCellShown = true): void {
    this.setActiveCell(snapshot);
    this._cancelAutoValidate();
    if (
      ranCellShown &&
      this._autoValidate &&
      this._visible &&
      this.isCodeCell
    ) {
      this._validateTimer = setTimeout(() => {
        this._validateTimer = null;
        void this.validate();
      }, this._debounceMs);
    }
  }

  /**
   * The active cell's text changed in the editor. Cheap (called on every
   * keystroke): it only updates the stale flag, it does not call the server.
   */
  activeSourceChanged(cellId: string, source: string): void {
    const cell = activeCell(this._active);
    if (!cell || cell.id !== cellId || cell.source === source) {
      return;
    }
    const wasStale = [this.extractionStale, this.validationStale];
    cell.source = source;
    if (
      this.extractionStale !== wasStale[0] ||
      this.validationStale !== wasStale[1]
    ) {
      this._changed.emit();
    }
  }

  /**
   * Extract the active cell now (the panel's "refresh" and retry button).
   */
  refresh(): Promise<void> {
    this._cancelExtract();
    return this._extract();
  }

  /**
   * Validate the panel's cell now. Resolves with the report, or null when
   * there is nothing to validate or the request failed (the failure is in
   * `validation`). A newer validation of the same cell wins over an older.
   */
  async validate(): Promise<IValidationReport | null> {
    this._cancelAutoValidate();
    const ref = this.cellReference();
    if (!ref || !this.isCodeCell) {
      return null;
    }
    const cellId = ref.cell_id;
    const source = this.activeSource;
    const startedAt = this._now();
    const pending: ValidationState = {
      status: 'validating',
      cellId,
      source,
      startedAt
    };
    this._validations.set(cellId, pending);
    this._changed.emit();

    const handshake = await this.checkServer();
    if (handshake.status !== 'ok') {
      this._settleValidation(pending, {
        status: 'error',
        cellId,
        source,
        message: handshakeProblem(handshake),
        httpStatus: 0
      });
      return null;
    }
    try {
      const report = await this._client.validate(ref);
      this._settleValidation(pending, {
        status: 'done',
        cellId,
        source,
        report,
        elapsedMs: this._now() - startedAt
      });
      if (report.extraction) {
        this._adoptExtraction(cellId, source, report.extraction);
      }
      return report;
    } catch (error) {
      this._settleValidation(pending, {
        status: 'error',
        cellId,
        source,
        message: errorMessage(error),
        httpStatus: error instanceof APIError ? error.status : 0
      });
      return null;
    }
  }

  /**
   * Submit the panel's cell as a pull request. Resolves with the result;
   * rejects with the server's error (an `APIError`), which is also kept in
   * `submission` for the panel.
   *
   * @param force Submit although the checks fail.
   */
  async submit(force = false): Promise<ISubmitResult> {
    const ref = this.cellReference();
    if (!ref || !this.isCodeCell) {
      throw new APIError('Select a code cell to submit.', 400);
    }
    const cellId = ref.cell_id;
    const source = this.activeSource;
    const pending: SubmitState = { status: 'submitting', cellId, source };
    this._submits.set(cellId, pending);
    this._changed.emit();
    try {
      const result = await this._client.submit(
        force ? { ...ref, force: true } : ref
      );
      this._settleSubmit(pending, { status: 'done', cellId, source, result });
      if (
        result.report &&
        this._validations.get(cellId)?.status !== 'validating'
      ) {
        this._validations.set(cellId, {
          status: 'done',
          cellId,
          source,
          report: result.report,
          elapsedMs: 0
        });
        this._changed.emit();
      }
      return result;
    } catch (error) {
      this._settleSubmit(pending, {
        status: 'error',
        cellId,
        source,
        message: errorMessage(error),
        httpStatus: error instanceof APIError ? error.status : 0
      });
      throw error;
    }
  }

  /**
   * The request for the active cell, as the contract wants it; null when no
   * cell is active.
   */
  cellReference(): ICellReference | null {
    const snapshot = this._active;
    if (!snapshot) {
      return null;
    }
    const ref: ICellReference = {
      cells: snapshot.cells.map(c => ({ ...c })),
      cell_id: snapshot.cellId,
      path: snapshot.path
    };
    if (snapshot.language) {
      ref.language = snapshot.language;
    }
    return ref;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._cancelExtract();
    this._cancelAutoValidate();
    Signal.clearData(this);
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  private async _checkServer(): Promise<Handshake> {
    try {
      const info = await this._client.info();
      this._handshake =
        info.api_version === API_VERSION
          ? { status: 'ok', info }
          : { status: 'mismatch', info, expected: API_VERSION };
    } catch (error) {
      this._handshake = {
        status: 'missing',
        message: errorMessage(error)
      };
    }
    this._changed.emit();
    return this._handshake;
  }

  private _scheduleExtract(): void {
    this._cancelExtract();
    if (!this._visible || this._disposed) {
      return;
    }
    this._timer = setTimeout(() => {
      this._timer = null;
      void this._extract();
    }, this._debounceMs);
  }

  private _cancelExtract(): void {
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private async _extract(): Promise<void> {
    const seq = ++this._seq;
    const snapshot = this._active;
    const cell = activeCell(snapshot);
    if (!snapshot || !cell) {
      this._setExtraction({ status: 'idle' });
      return;
    }
    if (cell.cell_type !== 'code') {
      this._setExtraction({
        status: 'not-code',
        cellId: cell.id,
        cellType: cell.cell_type
      });
      return;
    }
    if (cell.source.trim() === '') {
      // A freshly inserted cell: nothing to extract, and nothing wrong yet.
      this._setExtraction({ status: 'empty', cellId: cell.id });
      return;
    }
    const handshake = await this.checkServer();
    if (handshake.status !== 'ok' || seq !== this._seq) {
      return;
    }
    const source = cell.source;
    const ref = this.cellReference()!;
    this._setExtraction({ status: 'loading', cellId: cell.id });
    try {
      const extraction = await this._client.extract(ref);
      if (seq === this._seq && !this._disposed) {
        this._setExtraction({
          status: 'ready',
          cellId: cell.id,
          source,
          extraction
        });
      }
    } catch (error) {
      if (seq === this._seq && !this._disposed) {
        this._setExtraction({
          status: 'error',
          cellId: cell.id,
          source,
          message: errorMessage(error),
          httpStatus: error instanceof APIError ? error.status : 0
        });
      }
    }
  }

  private _setExtraction(state: ExtractionState): void {
    this._extraction = state;
    this._changed.emit();
  }

  private _cancelAutoValidate(): void {
    if (this._validateTimer !== null) {
      clearTimeout(this._validateTimer);
      this._validateTimer = null;
    }
  }

  /** Replace `pending` by `next`, unless a newer request replaced it. */
  private _settleValidation(
    pending: ValidationState,
    next: ValidationState
  ): void {
    const cellId = (pending as { cellId: string }).cellId;
    if (this._disposed || this._validations.get(cellId) !== pending) {
      return;
    }
    this._validations.set(cellId, next);
    this._changed.emit();
  }

  private _settleSubmit(pending: SubmitState, next: SubmitState): void {
    const cellId = (pending as { cellId: string }).cellId;
    if (this._disposed || this._submits.get(cellId) !== pending) {
      return;
    }
    this._submits.set(cellId, next);
    this._changed.emit();
  }

  /**
   * A validation report carries the extraction: show it when it is about
   * the cell on screen and nothing newer is coming.
   */
  private _adoptExtraction(
    cellId: string,
    source: string,
    extraction: IExtraction
  ): void {
    if (
      this._disposed ||
      this._active?.cellId !== cellId ||
      this._extraction.status === 'loading' ||
      this._timer !== null
    ) {
      return;
    }
    this._setExtraction({ status: 'ready', cellId, source, extraction });
  }

  private _client: IClient;
  private _debounceMs: number;
  private _now: () => number;
  private _validations = new Map<string, ValidationState>();
  private _submits = new Map<string, SubmitState>();
  private _autoValidate = false;
  private _validateTimer: ReturnType<typeof setTimeout> | null = null;
  private _changed = new Signal<this, void>(this);
  private _handshake: Handshake = { status: 'pending' };
  private _handshakePromise: Promise<Handshake> | null = null;
  private _extraction: ExtractionState = { status: 'idle' };
  private _active: ICellSnapshot | null = null;
  private _visible = true;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped per extraction so a slow answer never overwrites a newer one. */
  private _seq = 0;
  private _disposed = false;
}

const IDLE = { status: 'idle' } as const;

/**
 * Why the server cannot be used, for a validation error.
 */
function handshakeProblem(handshake: Handshake): string {
  switch (handshake.status) {
    case 'missing':
      return `The jupyter-ext server extension is not available: ${handshake.message}`;
    case 'mismatch':
      return `The jupyter-ext server extension speaks API version ${handshake.info.api_version}, this page version ${handshake.expected}.`;
    default:
      return 'The jupyter-ext server extension did not answer.';
  }
}

/**
 * The active cell's entry in a snapshot.
 */
function activeCell(snapshot: ICellSnapshot | null): ICellSource | undefined {
  return snapshot?.cells.find(c => c.id === snapshot.cellId);
}

/**
 * A message for a person: the server's own when it sent one.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}
