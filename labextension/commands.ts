/**
 * Command ids of the extension. Toolbar buttons, palette entries, menus and
 * keyboard shortcuts (schema/plugin.json) all point at these ids.
 */
export namespace CommandIDs {
  /** Show the Feature panel. */
  export const openPanel = 'jupyter-ext:open-panel';
  /** Re-extract the active cell's module now. */
  export const refresh = 'jupyter-ext:refresh';
}
