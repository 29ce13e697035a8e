/**
 * GitHub sign-in state, as the server reports it, and the OAuth device flow
 * (show a code, the user approves it on GitHub, we poll). The token itself
 * never reaches the browser: the server keeps it and tells us only who is
 * signed in.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { IAuthStatus, IClient, IDeviceCode } from './api';
import { errorMessage } from './model';

/**
 * Where the device flow is.
 */
export type DeviceFlowState =
  | { state: 'idle' }
  | { state: 'starting' }
  | {
      state: 'waiting';
      code: IDeviceCode;
      /** Epoch milliseconds when the code stops working. */
      expiresAt: number;
    }
  | { state: 'success'; login: string | null }
  | { state: 'expired' }
  | { state: 'denied' }
  | { state: 'error'; message: string };

export namespace AuthModel {
  export interface IOptions {
    client: IClient;
    /** Epoch milliseconds (tests pass a fake clock). */
    now?: () => number;
  }
}

/**
 * Who is signed in to GitHub on the server, and the device flow.
 */
export class AuthModel {
  constructor(options: AuthModel.IOptions) {
    this._client = options.client;
    this._now = options.now ?? (() => Date.now());
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The server's answer to `GET auth`; null until known. */
  get status(): IAuthStatus | null {
    return this._status;
  }

  /** Why the status could not be read (e.g. auth not configured). */
  get statusError(): string | null {
    return this._statusError;
  }

  get device(): DeviceFlowState {
    return this._device;
  }

  /** Ask the server who is signed in. Never rejects. */
  async refresh(): Promise<IAuthStatus | null> {
    try {
      this._status = await this._client.authStatus();
      this._statusError = null;
    } catch (error) {
      this._status = null;
      this._statusError = errorMessage(error);
    }
    this._changed.emit();
    return this._status;
  }

  /** Forget the server's device-flow token. Rejects with the server's error. */
  async signOut(): Promise<void> {
    this.cancelDeviceFlow();
    await this._client.authSignOut();
    await this.refresh();
  }

  /**
   * Start the device flow: get a code to show, then poll until the user
   * approved it, denied it, or it expired. Resolves once a code is shown
   * (or starting failed); follow `device` for the outcome.
   */
  async startDeviceFlow(): Promise<void> {
    this.cancelDeviceFlow();
    const run = ++this._run;
    this._setDevice({ state: 'starting' });
    let code: IDeviceCode;
    try {
      code = await this._client.authDeviceStart();
    } catch (error) {
      if (run === this._run) {
        this._setDevice({ state: 'error', message: errorMessage(error) });
      }
      return;
    }
    if (run !== this._run) {
      return;
    }
    this._interval = Math.max(1, code.interval) * 1000;
    this._setDevice({
      state: 'waiting',
      code,
      expiresAt: this._now() + code.expires_in * 1000
    });
    this._schedulePoll(run);
  }

  /** Stop polling (the dialog was closed). */
  cancelDeviceFlow(): void {
    this._run++;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    if (this._device.state === 'starting' || this._device.state === 'waiting') {
      this._setDevice({ state: 'idle' });
    }
  }

  dispose(): void {
    this.cancelDeviceFlow();
    Signal.clearData(this);
  }

  private _schedulePoll(run: number): void {
    this._timer = setTimeout(() => {
      this._timer = null;
      void this._poll(run);
    }, this._interval);
  }

  private async _poll(run: number): Promise<void> {
    const device = this._device;
    if (run !== this._run || device.state !== 'waiting') {
      return;
    }
    if (this._now() >= device.expiresAt) {
      this._setDevice({ state: 'expired' });
      return;
    }
    let answer;
    try {
      answer = await this._client.authDevicePoll();
    } catch (error) {
      if (run === this._run) {
        this._setDevice({ state: 'error', message: errorMessage(error) });
      }
      return;
    }
    if (run !== this._run) {
      return;
    }
    switch (answer.state) {
      case 'success':
        this._setDevice({ state: 'success', login: answer.login });
        await this.refresh();
        return;
      case 'expired':
        this._setDevice({ state: 'expired' });
        return;
      case 'denied':
        this._setDevice({ state: 'denied' });
        return;
      case 'slow_down':
        // GitHub's rule: add 5 seconds to the interval from now on.
        this._interval += 5000;
        this._schedulePoll(run);
        return;
      default:
        this._schedulePoll(run);
    }
  }

  private _setDevice(state: DeviceFlowState): void {
    this._device = state;
    this._changed.emit();
  }

  private _client: IClient;
  private _now: () => number;
  private _changed = new Signal<this, void>(this);
  private _status: IAuthStatus | null = null;
  private _statusError: string | null = null;
  private _device: DeviceFlowState = { state: 'idle' };
  private _interval = 5000;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped on every start/cancel so an old poll loop stops by itself. */
  private _run = 0;
}
