/**
 * The user's submitted features (their pull requests and states), for the
 * panel's Submissions tab.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { IClient, ISubmission } from './api';
import { errorMessage } from './model';
import { APIError } from './request';

export type SubmissionsState =
  | { status: 'idle' }
  | { status: 'loading'; previous: ISubmission[] }
  | { status: 'ready'; submissions: ISubmission[] }
  | { status: 'error'; message: string; httpStatus: number };

export class SubmissionsModel {
  constructor(options: { client: IClient }) {
    this._client = options.client;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): SubmissionsState {
    return this._state;
  }

  /** Fetch the list again; keeps showing the old list while loading. */
  async refresh(): Promise<void> {
    const seq = ++this._seq;
    const previous =
      this._state.status === 'ready'
        ? this._state.submissions
        : this._state.status === 'loading'
          ? this._state.previous
          : [];
    this._set({ status: 'loading', previous });
    try {
      const submissions = await this._client.submissions();
      if (seq === this._seq) {
        // Most recently updated first.
        const sorted = [...submissions].sort((a, b) =>
          (b.updated_at ?? '').localeCompare(a.updated_at ?? '')
        );
        this._set({ status: 'ready', submissions: sorted });
      }
    } catch (error) {
      if (seq === this._seq) {
        this._set({
          status: 'error',
          message: errorMessage(error),
          httpStatus: error instanceof APIError ? error.status : 0
        });
      }
    }
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private _set(state: SubmissionsState): void {
    this._state = state;
    this._changed.emit();
  }

  private _client: IClient;
  private _changed = new Signal<this, void>(this);
  private _state: SubmissionsState = { status: 'idle' };
  private _seq = 0;
}
