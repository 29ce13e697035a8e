/**
 * Icons of the extension, themed through JupyterLab's `jp-icon*` classes
 * (so they follow light and dark themes).
 */
import { LabIcon } from '@jupyterlab/ui-components';

/** A flask: the Feature panel's tab icon and the toolbar button's icon. */
const FEATURE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
  '<path class="jp-icon3" fill="#616161" d="M9 2h6v2h-1v5.2l5.6 9.3A2 2 0 0 1 ' +
  '17.9 22H6.1a2 2 0 0 1-1.7-3.5L10 9.2V4H9V2zm3 9.3L8.5 17h7L12 11.3z"/></svg>';

export const featureIcon = new LabIcon({
  name: 'jupyter-ext:feature',
  svgstr: FEATURE_SVG
});
