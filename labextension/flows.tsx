/**
 * The two conversations with the user that need dialogs: submitting a
 * feature (confirm, progress, PR link or what went wrong) and signing in to
 * GitHub with the device flow (code, link, waiting, outcome).
 */
import {
  Clipboard,
  Dialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReadonlyJSONValue } from '@lumino/coreutils';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IInfo, ISubmitResult, IValidationReport } from './api';
import { AuthModel } from './auth';
import { CodeView } from './codeview';
import { FeatureModel } from './model';
import { APIError } from './request';

/**
 * What the flows need.
 */
export interface IFlowContext {
  model: FeatureModel;
  auth: AuthModel;
  trans: TranslationBundle;
  /** Ask before submitting (setting `confirmBeforeSubmit`). */
  confirmBeforeSubmit: () => boolean;
  /** Show the Feature panel. */
  openPanel: () => void;
}

/* ----------------------------------------------------------------------------
 * Submit
 */

/**
 * Submit the panel's cell: sign in if needed, confirm, submit with a
 * progress notification, then show the PR link or the server's message.
 */
export async function submitFlow(ctx: IFlowContext): Promise<void> {
  const { model, auth, trans } = ctx;
  if (!model.isCodeCell) {
    Notification.warning(
      trans.__('Select the code cell that defines your feature, then submit.'),
      { autoClose: 5000 }
    );
    return;
  }
  ctx.openPanel();

  // Submission needs a GitHub identity on the server: sign in first.
  const status = auth.status ?? (await auth.refresh());
  if (status && !status.signed_in) {
    if (!status.device_flow_available) {
      await showDialog({
        title: trans.__('Not signed in to GitHub'),
        body: trans.__(
          'The server has no GitHub token and sign-in is not set up. Ask the person who runs this Jupyter server to set GITHUB_TOKEN (or c.JupyterExt.github_token), or a GitHub OAuth client id for sign-in.'
        ),
        buttons: [Dialog.okButton({ label: trans.__('Close') })]
      });
      return;
    }
    if (!(await signInFlow(ctx))) {
      return;
    }
  }

  // A report about this very source says whether the checks pass.
  const validation = model.validation;
  const report =
    validation.status === 'done' && !model.validationStale
      ? validation.report
      : null;
  let force = false;
  if (ctx.confirmBeforeSubmit() || (report && !report.passed)) {
    const choice = await confirmSubmit(ctx, report);
    if (choice === 'cancel') {
      return;
    }
    force = choice === 'force';
  }
  await runSubmit(ctx, force);
}

type Choice = 'cancel' | 'submit' | 'force';

/**
 * The confirm dialog: the module and where it goes.
 */
async function confirmSubmit(
  ctx: IFlowContext,
  report: IValidationReport | null
): Promise<Choice> {
  const { model, trans } = ctx;
  const failing = report !== null && !report.passed;
  const extraction = model.extraction;
  const module =
    extraction.status === 'ready' &&
    extraction.cellId === model.active?.cellId &&
    !model.extractionStale
      ? extraction.extraction.module
      : (report?.extraction?.module ?? null);
  const previous =
    model.submission.status === 'done' ? model.submission.result : null;
  const info = model.handshake.status === 'ok' ? model.handshake.info : null;
  const body = (
    <ConfirmBody
      trans={trans}
      module={module}
      report={report}
      previous={previous}
      info={info}
      login={ctx.auth.status?.login ?? null}
    />
  );
  const result = await showDialog({
    title: previous
      ? trans.__('Update your pull request?')
      : trans.__('Submit this feature?'),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      failing
        ? Dialog.warnButton({ label: trans.__('Submit anyway') })
        : Dialog.okButton({ label: trans.__('Submit') })
    ]
  });
  if (!result.button.accept) {
    return 'cancel';
  }
  return failing ? 'force' : 'submit';
}

function ConfirmBody(props: {
  trans: TranslationBundle;
  module: string | null;
  report: IValidationReport | null;
  previous: ISubmitResult | null;
  info: IInfo | null;
  login: string | null;
}): JSX.Element {
  const { trans, report, previous, info, login } = props;
  const project = info?.project;
  const repo =
    previous?.repo ??
    (typeof project?.upstream === 'string' ? project.upstream : null);
  const contrib =
    typeof project?.contrib_path === 'string' ? project.contrib_path : null;
  const file =
    previous?.file_path ??
    (contrib && login ? `${contrib}/user_${login}/feature_….py` : null);
  return (
    <div className="jp-JupyterExt-dialog">
      <p>
        {trans.__(
          'This opens a pull request that adds your feature to the shared project. Maintainers review it before it is merged.'
        )}
      </p>
      {report && !report.passed ? (
        <p className="jp-JupyterExt-error" role="alert">
          {trans.__(
            'The feature does not pass validation. You can still submit it, for example to ask maintainers for help, but it will not be merged as is.'
          )}
        </p>
      ) : null}
      {!report ? (
        <p className="jp-JupyterExt-detail">
          {trans.__('The server validates the feature before submitting it.')}
        </p>
      ) : null}
      <dl className="jp-JupyterExt-target">
        {report?.feature ? (
          <>
            <dt>{trans.__('Feature')}</dt>
            <dd>{report.feature.name}</dd>
          </>
        ) : null}
        {repo ? (
          <>
            <dt>{trans.__('Repository')}</dt>
            <dd>{repo}</dd>
          </>
        ) : null}
        {previous ? (
          <>
            <dt>{trans.__('Branch')}</dt>
            <dd>
              <code>{previous.branch}</code>
            </dd>
          </>
        ) : null}
        {file ? (
          <>
            <dt>{trans.__('File')}</dt>
            <dd>
              <code>{file}</code>
            </dd>
          </>
        ) : null}
        {previous ? (
          <>
            <dt>{trans.__('Pull request')}</dt>
            <dd>{trans.__('#%1 will be updated', previous.pr_number)}</dd>
          </>
        ) : null}
      </dl>
      {props.module ? (
        <CodeView code={props.module} label={trans.__('Module to submit')} />
      ) : null}
    </div>
  );
}

/**
 * Submit with a progress notification; then the outcome dialog.
 */
async function runSubmit(ctx: IFlowContext, force: boolean): Promise<void> {
  const { model, trans } = ctx;
  const pending = model.submit(force);
  // The notification follows the submission; the dialogs below say more.
  const outcome = pending.then(result =>
    result.updated
      ? trans.__('Updated pull request #%1', result.pr_number)
      : trans.__('Opened pull request #%1', result.pr_number)
  );
  Notification.promise<ReadonlyJSONValue, ReadonlyJSONValue, ReadonlyJSONValue>(
    outcome,
    {
      pending: {
        message: trans.__(
          'Submitting your feature: validating, then creating the branch, commit and pull request…'
        ),
        options: { autoClose: false }
      },
      success: {
        message: (message: unknown) => String(message),
        options: { autoClose: 5000 }
      },
      error: {
        message: (reason: unknown) =>
          trans.__(
            'Submission failed: %1',
            reason instanceof Error ? reason.message : String(reason)
          ),
        options: { autoClose: 8000 }
      }
    }
  );
  let result: ISubmitResult;
  try {
    result = await pending;
  } catch (error) {
    await submitFailed(ctx, error, force);
    return;
  }
  await showDialog({
    title: result.updated
      ? trans.__('Pull request updated')
      : trans.__('Pull request opened'),
    body: <SuccessBody result={result} trans={trans} />,
    buttons: [Dialog.okButton({ label: trans.__('Close') })]
  });
}

function SuccessBody(props: {
  result: ISubmitResult;
  trans: TranslationBundle;
}): JSX.Element {
  const { result: r, trans } = props;
  return (
    <div className="jp-JupyterExt-dialog jp-JupyterExt-success">
      <p>
        {r.updated
          ? trans.__(
              'Updated existing PR: your pull request now has the new version of the feature.'
            )
          : trans.__(
              'Your feature is submitted. Maintainers will review the pull request.'
            )}
      </p>
      <p className="jp-JupyterExt-prLink">
        <a href={r.pr_url} target="_blank" rel="noopener noreferrer">
          {trans.__('Pull request #%1 in %2', r.pr_number, r.repo)}
        </a>
      </p>
      <dl className="jp-JupyterExt-target">
        <dt>{trans.__('Branch')}</dt>
        <dd>
          <code>{r.branch}</code>
        </dd>
        <dt>{trans.__('File')}</dt>
        <dd>
          <code>{r.file_path}</code>
        </dd>
      </dl>
      <p className="jp-JupyterExt-detail">
        {trans.__('Submitting this cell again updates the same pull request.')}
      </p>
    </div>
  );
}

/**
 * The server's message, and what the user can do about it.
 */
async function submitFailed(
  ctx: IFlowContext,
  error: unknown,
  forced: boolean
): Promise<void> {
  const { trans } = ctx;
  const status = error instanceof APIError ? error.status : 0;
  const message = error instanceof Error ? error.message : String(error);
  let advice: string;
  let retry: 'sign-in' | 'force' | 'again' | null = null;
  switch (status) {
    case 401:
      advice = trans.__('Sign in to GitHub, then submit again.');
      retry = 'sign-in';
      break;
    case 422:
      advice = forced
        ? trans.__('The feature cannot be submitted in this state.')
        : trans.__(
            'Fix what the Validation section of the panel shows, or submit anyway so maintainers can help.'
          );
      retry = forced ? null : 'force';
      break;
    case 409:
      advice = trans.__(
        'Someone changed the pull request or branch meanwhile. Submitting again is safe: it updates the same branch and pull request.'
      );
      retry = 'again';
      break;
    case 502:
      advice = trans.__(
        'GitHub refused or failed. Submitting again is safe: it continues where it stopped and never opens a second pull request.'
      );
      retry = 'again';
      break;
    case 504:
      advice = trans.__(
        'The validation took too long. Make the feature faster (or smaller), validate it, then submit again.'
      );
      break;
    case 0:
      advice = trans.__(
        'The Jupyter server could not be reached. Check that it is running, then submit again.'
      );
      retry = 'again';
      break;
    default:
      advice = trans.__('Submitting again may help.');
      retry = 'again';
  }
  const buttons = [Dialog.cancelButton({ label: trans.__('Close') })];
  if (retry === 'sign-in') {
    buttons.push(Dialog.okButton({ label: trans.__('Sign in') }));
  } else if (retry === 'force') {
    buttons.push(Dialog.warnButton({ label: trans.__('Submit anyway') }));
  } else if (retry === 'again') {
    buttons.push(Dialog.okButton({ label: trans.__('Try again') }));
  }
  const result = await showDialog({
    title: trans.__('Submission failed'),
    body: (
      <div className="jp-JupyterExt-dialog" role="alert">
        <p className="jp-JupyterExt-message">{message}</p>
        <p>{advice}</p>
      </div>
    ),
    buttons
  });
  if (!result.button.accept) {
    return;
  }
  if (retry === 'sign-in') {
    if (await signInFlow(ctx)) {
      await runSubmit(ctx, forced);
    }
  } else if (retry === 'force') {
    await runSubmit(ctx, true);
  } else if (retry === 'again') {
    await runSubmit(ctx, forced);
  }
}

/* ----------------------------------------------------------------------------
 * Sign in
 */

/**
 * The device-flow dialog. Resolves with whether the user is signed in when
 * it closes.
 */
export async function signInFlow(
  ctx: Pick<IFlowContext, 'auth' | 'trans'>
): Promise<boolean> {
  const { auth, trans } = ctx;
  const body = new SignInBody(auth, trans);
  void auth.startDeviceFlow();
  await showDialog({
    title: trans.__('Sign in to GitHub'),
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Close') })],
    focusNodeSelector: '.jp-JupyterExt-deviceLink'
  });
  auth.cancelDeviceFlow();
  return auth.status?.signed_in ?? false;
}

class SignInBody extends ReactWidget {
  constructor(
    private _auth: AuthModel,
    private _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-JupyterExt-signIn');
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this._auth.changed}>
        {() => <DeviceFlowView auth={this._auth} trans={this._trans} />}
      </UseSignal>
    );
  }
}

function DeviceFlowView(props: {
  auth: AuthModel;
  trans: TranslationBundle;
}): JSX.Element {
  const { auth, trans } = props;
  const device = auth.device;
  const again = (
    <button
      className="jp-Button jp-mod-styled jp-mod-accept"
      onClick={() => void auth.startDeviceFlow()}
    >
      {trans.__('Get a new code')}
    </button>
  );
  switch (device.state) {
    case 'idle':
    case 'starting':
      return (
        <p aria-busy="true" role="status">
          <span className="jp-JupyterExt-spinner" aria-hidden="true" />
          {trans.__('Asking GitHub for a sign-in code…')}
        </p>
      );
    case 'waiting': {
      const expires = new Date(device.expiresAt).toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit'
      });
      return (
        <div className="jp-JupyterExt-device">
          <p>{trans.__('1. Copy this code:')}</p>
          <p className="jp-JupyterExt-deviceCodeRow">
            <code
              className="jp-JupyterExt-deviceCode"
              aria-label={trans.__('Sign-in code')}
            >
              {device.code.user_code}
            </code>
            <button
              className="jp-Button jp-mod-styled jp-mod-reject jp-JupyterExt-small"
              onClick={() => Clipboard.copyToSystem(device.code.user_code)}
            >
              {trans.__('Copy')}
            </button>
          </p>
          <p>
            {trans.__('2. Open this page, enter the code and authorize:')}{' '}
            <a
              className="jp-JupyterExt-deviceLink"
              href={device.code.verification_uri}
              target="_blank"
              rel="noopener noreferrer"
            >
              {device.code.verification_uri}
            </a>
          </p>
          <p role="status" aria-busy="true" className="jp-JupyterExt-detail">
            <span className="jp-JupyterExt-spinner" aria-hidden="true" />
            {trans.__(
              'Waiting for you to authorize… (the code works until %1)',
              expires
            )}
          </p>
        </div>
      );
    }
    case 'success':
      return (
        <p role="status" className="jp-JupyterExt-verdict jp-mod-passed">
          {device.login
            ? trans.__(
                'Signed in as %1. You can now submit features.',
                device.login
              )
            : trans.__('Signed in. You can now submit features.')}
        </p>
      );
    case 'expired':
      return (
        <div role="alert">
          <p>{trans.__('The code expired before it was used.')}</p>
          {again}
        </div>
      );
    case 'denied':
      return (
        <div role="alert">
          <p>{trans.__('The sign-in was denied on GitHub.')}</p>
          {again}
        </div>
      );
    case 'error':
      return (
        <div role="alert">
          <p>{trans.__('Sign-in could not start:')}</p>
          <p className="jp-JupyterExt-message">{device.message}</p>
          {again}
        </div>
      );
  }
}
