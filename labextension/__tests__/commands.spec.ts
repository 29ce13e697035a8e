import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';

import { IAuthStatus } from '../api';
import { AuthModel } from '../auth';
import { addCommands, CommandIDs, ICommandContext } from '../commands';
import { FeatureModel } from '../model';
import { fakeClient, report, snapshot } from './fakes';

function setUp(status: IAuthStatus | null = null) {
  const client = fakeClient({
    validate: jest.fn(() => Promise.resolve(report())),
    authStatus: jest.fn(() =>
      status ? Promise.resolve(status) : Promise.reject(new Error('no auth'))
    )
  });
  const model = new FeatureModel({ client });
  const auth = new AuthModel({ client });
  const ctx: ICommandContext = {
    model,
    auth,
    trans: nullTranslator.load('jupyter_ext'),
    openPanel: jest.fn(),
    submit: jest.fn(() => Promise.resolve()),
    signIn: jest.fn(() => Promise.resolve(true)),
    notifyError: jest.fn()
  };
  const commands = new CommandRegistry();
  addCommands(commands, ctx);
  return { client, model, auth, ctx, commands };
}

describe('commands', () => {
  it('enables validate and submit on code cells only', () => {
    const { model, commands } = setUp();
    expect(commands.isEnabled(CommandIDs.submit)).toBe(false);
    model.setActiveCell(snapshot('c2'));
    expect(commands.isEnabled(CommandIDs.submit)).toBe(true);
    expect(commands.isEnabled(CommandIDs.validate)).toBe(true);
    model.setActiveCell(snapshot('m1'));
    expect(commands.isEnabled(CommandIDs.submit)).toBe(false);
    expect(commands.isEnabled(CommandIDs.validate)).toBe(false);
  });

  it('labels the toolbar button "Submit feature"', () => {
    const { commands } = setUp();
    expect(commands.label(CommandIDs.submit)).toBe('Submit feature');
  });

  it('validate opens the panel and validates the active cell', async () => {
    const { model, commands, client, ctx } = setUp();
    model.setActiveCell(snapshot('c2'));
    await commands.execute(CommandIDs.validate);
    expect(ctx.openPanel).toHaveBeenCalledWith('feature');
    expect(client.validate).toHaveBeenCalledTimes(1);
    expect(model.validation.status).toBe('done');
  });

  it('submit runs the submit flow', async () => {
    const { model, commands, ctx } = setUp();
    model.setActiveCell(snapshot('c2'));
    await commands.execute(CommandIDs.submit);
    expect(ctx.submit).toHaveBeenCalledTimes(1);
  });

  it('open-panel and show-submissions open the right tab', async () => {
    const { commands, ctx } = setUp();
    await commands.execute(CommandIDs.openPanel);
    await commands.execute(CommandIDs.showSubmissions);
    expect(ctx.openPanel).toHaveBeenNthCalledWith(1, 'feature');
    expect(ctx.openPanel).toHaveBeenNthCalledWith(2, 'submissions');
  });

  it('sign-in explains when the server has no device flow', async () => {
    const { commands, ctx } = setUp({
      signed_in: false,
      login: null,
      method: 'none',
      device_flow_available: false
    });
    await commands.execute(CommandIDs.signIn);
    expect(ctx.signIn).not.toHaveBeenCalled();
    expect(ctx.notifyError).toHaveBeenCalledWith(
      expect.stringContaining('Sign-in is not set up')
    );
  });

  it('sign-in opens the dialog when the device flow is available', async () => {
    const { commands, ctx, auth } = setUp({
      signed_in: false,
      login: null,
      method: 'none',
      device_flow_available: true
    });
    await auth.refresh();
    expect(commands.isEnabled(CommandIDs.signIn)).toBe(true);
    expect(commands.isEnabled(CommandIDs.signOut)).toBe(false);
    await commands.execute(CommandIDs.signIn);
    expect(ctx.signIn).toHaveBeenCalled();
  });

  it('sign-out is offered whenever signed in', async () => {
    const { commands, auth } = setUp({
      signed_in: true,
      login: 'alice',
      method: 'env',
      device_flow_available: true
    });
    expect(commands.isEnabled(CommandIDs.signOut)).toBe(false);
    await auth.refresh();
    expect(commands.isEnabled(CommandIDs.signOut)).toBe(true);
    expect(commands.isEnabled(CommandIDs.signIn)).toBe(false);
  });
});
