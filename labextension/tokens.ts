/**
 * The service the plugins of this extension share: one client bound to the
 * page's server, the models, and the user's settings.
 */
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import { IClient } from './api';
import { AuthModel } from './auth';
import { FeatureModel } from './model';
import type { FeaturePanel } from './panel';
import { SubmissionsModel } from './submissions';

/**
 * The settings of schema/plugin.json, with their defaults.
 */
export interface IExtSettings {
  /** Validate a cell each time it is run. */
  autoValidate: boolean;
  /** Ask before opening a pull request. */
  confirmBeforeSubmit: boolean;
  /** Which side the panel lives on. */
  panelPosition: 'right' | 'left';
  /** Show the panel when JupyterLab starts. */
  openPanelOnStart: boolean;
}

export const DEFAULT_SETTINGS: IExtSettings = {
  autoValidate: false,
  confirmBeforeSubmit: true,
  panelPosition: 'right',
  openPanelOnStart: false
};

export interface IJupyterExt {
  /** The server extension's API, bound to this page's server (and base URL). */
  readonly client: IClient;
  /** The active cell, its module and its report. */
  readonly model: FeatureModel;
  /** Who is signed in to GitHub on the server; the device flow. */
  readonly auth: AuthModel;
  /** The user's pull requests. */
  readonly submissions: SubmissionsModel;
  /** The current settings. */
  readonly settings: IExtSettings;
  /** Emitted after the settings were (re)loaded. */
  readonly settingsChanged: ISignal<IJupyterExt, IExtSettings>;
}

export const IJupyterExt = new Token<IJupyterExt>(
  'jupyter-ext:IJupyterExt',
  'The jupyter-ext client, its models and settings.'
);

/**
 * The Feature side panel widget, for the commands that open it.
 */
export const IFeaturePanel = new Token<FeaturePanel>(
  'jupyter-ext:IFeaturePanel',
  'The Feature side panel.'
);
