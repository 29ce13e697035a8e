/**
 * The service other plugins of this extension share: one client bound to
 * the page's server and one model of the active cell.
 */
import { Token } from '@lumino/coreutils';

import { IClient } from './api';
import { FeatureModel } from './model';

export interface IJupyterExt {
  /** The server extension's API, bound to this page's server (and base URL). */
  readonly client: IClient;
  /** The active cell, its module and its report. */
  readonly model: FeatureModel;
}

export const IJupyterExt = new Token<IJupyterExt>(
  'jupyter-ext:IJupyterExt',
  'The jupyter-ext client and the model of the active feature cell.'
);
