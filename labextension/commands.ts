/**
 * Commands of the extension. Toolbar buttons, palette entries, the panel's
 * buttons and keyboard shortcuts (schema/plugin.json) all run these, so they
 * behave the same wherever they are clicked.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { IDisposable } from '@lumino/disposable';

import { AuthModel } from './auth';
import { featureIcon } from './icons';
import { FeatureModel } from './model';

export namespace CommandIDs {
  /** Show the Feature panel. */
  export const openPanel = 'jupyter-ext:open-panel';
  /** Re-extract the active cell's module now. */
  export const refresh = 'jupyter-ext:refresh';
  /** Validate the active cell (checks + acceptance). */
  export const validate = 'jupyter-ext:validate';
  /** Submit the active cell as a pull request (the toolbar button). */
  export const submit = 'jupyter-ext:submit';
  /** Sign in to GitHub with the device flow. */
  export const signIn = 'jupyter-ext:sign-in';
  /** Sign out of GitHub (a configured token is ignored until next sign-in). */
  export const signOut = 'jupyter-ext:sign-out';
  /** Show the user's submissions. */
  export const showSubmissions = 'jupyter-ext:show-submissions';
}

/** Every command, in palette order. */
export const PALETTE_COMMANDS = [
  CommandIDs.validate,
  CommandIDs.submit,
  CommandIDs.openPanel,
  CommandIDs.showSubmissions,
  CommandIDs.refresh,
  CommandIDs.signIn,
  CommandIDs.signOut
];

/**
 * What the commands act on. The UI-heavy parts (dialogs, the panel) come in
 * as functions, so jest can check the commands without a JupyterLab.
 */
export interface ICommandContext {
  model: FeatureModel;
  auth: AuthModel;
  trans: TranslationBundle;
  /** Show the panel (on the given tab). */
  openPanel(tab?: 'feature' | 'submissions'): void;
  /** The submit conversation (flows.tsx). */
  submit(): Promise<void>;
  /** The sign-in dialog (flows.tsx); resolves with whether signed in. */
  signIn(): Promise<boolean>;
  /** Tell the user something went wrong (a notification). */
  notifyError(message: string): void;
}

const NO_ARGS = {
  args: { type: 'object' as const, properties: {} }
};

/**
 * Register the commands; dispose the result to remove them.
 */
export function addCommands(
  commands: CommandRegistry,
  ctx: ICommandContext
): IDisposable[] {
  const { model, auth, trans } = ctx;
  const add = commands.addCommand.bind(commands);
  return [
    add(CommandIDs.openPanel, {
      label: trans.__('Open Feature Panel'),
      caption: trans.__(
        'Show the feature module and validation of the active cell'
      ),
      icon: args => (args.isPalette ? undefined : featureIcon),
      describedBy: NO_ARGS,
      execute: () => ctx.openPanel('feature')
    }),
    add(CommandIDs.showSubmissions, {
      label: trans.__('Show My Feature Submissions'),
      caption: trans.__('List your submitted features and their pull requests'),
      describedBy: NO_ARGS,
      execute: () => ctx.openPanel('submissions')
    }),
    add(CommandIDs.refresh, {
      label: trans.__('Refresh Feature Module'),
      caption: trans.__('Extract the active cell again'),
      describedBy: NO_ARGS,
      isEnabled: () => model.active !== null,
      execute: () => model.refresh()
    }),
    add(CommandIDs.validate, {
      label: trans.__('Validate Feature'),
      caption: trans.__(
        "Run the project's checks and acceptance test on the active cell"
      ),
      describedBy: NO_ARGS,
      isEnabled: () =>
        model.isCodeCell && model.validation.status !== 'validating',
      execute: async () => {
        ctx.openPanel('feature');
        await model.validate();
      }
    }),
    add(CommandIDs.submit, {
      label: trans.__('Submit feature'),
      caption: trans.__(
        'Validate the active cell and open a pull request that adds it to the project'
      ),
      icon: args => (args.isPalette ? undefined : featureIcon),
      describedBy: NO_ARGS,
      isEnabled: () =>
        model.isCodeCell && model.submission.status !== 'submitting',
      execute: () => ctx.submit()
    }),
    add(CommandIDs.signIn, {
      label: trans.__('Sign In to GitHub…'),
      caption: trans.__('Sign in to submit features as pull requests'),
      describedBy: NO_ARGS,
      isEnabled: () =>
        !auth.status ||
        (auth.status.device_flow_available && !auth.status.signed_in),
      execute: async () => {
        const status = auth.status ?? (await auth.refresh());
        if (status && !status.device_flow_available) {
          ctx.notifyError(
            trans.__(
              'Sign-in is not set up on this server (no GitHub OAuth client id).'
            )
          );
          return false;
        }
        return ctx.signIn();
      }
    }),
    add(CommandIDs.signOut, {
      label: trans.__('Sign Out of GitHub'),
      caption: trans.__('Forget the GitHub sign-in on this server'),
      describedBy: NO_ARGS,
      isEnabled: () => !!auth.status?.signed_in,
      execute: async () => {
        try {
          await auth.signOut();
        } catch (error) {
          ctx.notifyError(
            trans.__(
              'Could not sign out: %1',
              error instanceof Error ? error.message : String(error)
            )
          );
        }
      }
    })
  ];
}
