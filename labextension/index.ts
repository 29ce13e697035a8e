import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

/**
 * Placeholder plugin; replaced by the panel plugins.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-ext:plugin',
  description: 'Feature extraction, validation and submission.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    void app;
  }
};

export default plugin;
