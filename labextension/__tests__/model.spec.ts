import { API_VERSION } from '../api';
import { FeatureModel } from '../model';
import { APIError } from '../request';
import { IValidationReport } from '../api';
import {
  Deferred,
  extraction,
  fakeClient,
  flush,
  INFO,
  report,
  snapshot
} from './fakes';

describe('FeatureModel', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('handshake', () => {
    it('is ok when the server speaks our API version', async () => {
      // Given
      const model = new FeatureModel({ client: fakeClient() });
      // When
      const handshake = await model.checkServer();
      // Then
      expect(handshake).toEqual({ status: 'ok', info: INFO });
      expect(model.handshake.status).toBe('ok');
    });

    it('says the server extension is missing when info fails', async () => {
      // Given: Jupyter answers with its HTML 404 page
      const client = fakeClient({
        info: jest.fn(() =>
          Promise.reject(new APIError('404 Not Found', 404, false))
        )
      });
      const model = new FeatureModel({ client });
      // When
      await model.checkServer();
      // Then
      expect(model.handshake).toEqual({
        status: 'missing',
        message: '404 Not Found'
      });
    });

    it('reports a version mismatch', async () => {
      const client = fakeClient({
        info: jest.fn(() =>
          Promise.resolve({ ...INFO, api_version: API_VERSION + 1 })
        )
      });
      const model = new FeatureModel({ client });
      await model.checkServer();
      expect(model.handshake).toMatchObject({
        status: 'mismatch',
        expected: API_VERSION,
        info: { api_version: API_VERSION + 1 }
      });
    });

    it('never extracts when the server extension is missing', async () => {
      const client = fakeClient({
        info: jest.fn(() => Promise.reject(new APIError('gone', 0, false)))
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(1000);
      expect(client.extract).not.toHaveBeenCalled();
      expect(model.handshake.status).toBe('missing');
    });

    it('asks the server only once', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      await Promise.all([model.checkServer(), model.checkServer()]);
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(400);
      expect(client.info).toHaveBeenCalledTimes(1);
    });
  });

  describe('extraction', () => {
    it('extracts the active cell after the debounce delay', async () => {
      // Given
      const client = fakeClient();
      const model = new FeatureModel({ client, debounceMs: 300 });
      // When
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(299);
      // Then: nothing yet
      expect(client.extract).not.toHaveBeenCalled();
      expect(model.extraction.status).toBe('idle');
      // When the quiet time has passed
      await jest.advanceTimersByTimeAsync(1);
      // Then
      expect(client.extract).toHaveBeenCalledTimes(1);
      expect(model.extraction).toMatchObject({
        status: 'ready',
        cellId: 'c2',
        extraction: { module: 'module of c2' }
      });
    });

    it('sends the notebook as the browser has it, unsaved edits included', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.setActiveCell(
        snapshot('c2', { c1: 'def helper(x):\n    return 2' })
      );
      await jest.advanceTimersByTimeAsync(300);
      expect(client.extract).toHaveBeenCalledWith({
        path: 'work/nb.ipynb',
        cell_id: 'c2',
        cells: [
          {
            id: 'c1',
            cell_type: 'code',
            source: 'def helper(x):\n    return 2'
          },
          {
            id: 'c2',
            cell_type: 'code',
            source: 'input = "a"\ntransformer = helper'
          },
          { id: 'm1', cell_type: 'markdown', source: '# Notes' }
        ]
      });
    });

    it('asks once for a burst of cell changes, about the last cell', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client, debounceMs: 300 });
      model.setActiveCell(snapshot('c1'));
      await jest.advanceTimersByTimeAsync(100);
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(100);
      model.cellExecuted(snapshot('c1'));
      await jest.advanceTimersByTimeAsync(300);
      expect(client.extract).toHaveBeenCalledTimes(1);
      expect(client.extract.mock.calls[0][0].cell_id).toBe('c1');
      expect(model.extraction).toMatchObject({ status: 'ready', cellId: 'c1' });
    });

    it('shows loading while the server works', async () => {
      const answer = new Deferred<ReturnType<typeof extraction>>();
      const client = fakeClient({ extract: jest.fn(() => answer.promise) });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(300);
      expect(model.extraction).toEqual({ status: 'loading', cellId: 'c2' });
      answer.resolve(extraction('x = 1'));
      await flush();
      expect(model.extraction.status).toBe('ready');
    });

    it('never lets a slow old answer overwrite a newer one', async () => {
      // Given: the first request is slow, the second fast
      const slow = new Deferred<ReturnType<typeof extraction>>();
      const client = fakeClient({
        extract: jest
          .fn()
          .mockImplementationOnce(() => slow.promise)
          .mockImplementationOnce(() => Promise.resolve(extraction('new')))
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c1'));
      await jest.advanceTimersByTimeAsync(300);
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(300);
      expect(model.extraction).toMatchObject({
        status: 'ready',
        extraction: { module: 'new' }
      });
      // When the old answer finally arrives
      slow.resolve(extraction('old'));
      await flush();
      // Then it is dropped
      expect(model.extraction).toMatchObject({
        status: 'ready',
        cellId: 'c2',
        extraction: { module: 'new' }
      });
    });

    it('gives a hint, not a request, for a markdown cell', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('m1'));
      await jest.advanceTimersByTimeAsync(300);
      expect(client.extract).not.toHaveBeenCalled();
      expect(model.extraction).toEqual({
        status: 'not-code',
        cellId: 'm1',
        cellType: 'markdown'
      });
      expect(model.activeCellType).toBe('markdown');
    });

    it("sends the notebook's kernel language with the cells", async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.setActiveCell({ ...snapshot('c2'), language: 'R' });
      await jest.advanceTimersByTimeAsync(300);
      expect(client.extract).toHaveBeenCalledWith(
        expect.objectContaining({ cell_id: 'c2', language: 'R' })
      );
    });

    it('gives a hint, not a request, for an empty code cell', async () => {
      // Given a freshly inserted cell with only whitespace in it
      const client = fakeClient();
      const model = new FeatureModel({ client });
      // When it becomes active
      model.setActiveCell(snapshot('c2', { c2: '  \n' }));
      await jest.advanceTimersByTimeAsync(300);
      // Then the server is not asked, and nothing is an error
      expect(client.extract).not.toHaveBeenCalled();
      expect(model.extraction).toEqual({ status: 'empty', cellId: 'c2' });
      expect(model.isEmptyCodeCell).toBe(true);
    });

    it('goes idle when no cell is active', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(300);
      model.setActiveCell(null);
      await jest.advanceTimersByTimeAsync(300);
      expect(model.extraction).toEqual({ status: 'idle' });
      expect(model.active).toBeNull();
    });

    it("shows the server's message on error, and retry recovers", async () => {
      // Given the server rejects the cell
      const client = fakeClient({
        extract: jest
          .fn(() => Promise.resolve(extraction('module of c2')))
          .mockImplementationOnce(() =>
            Promise.reject(
              new APIError('Syntax error in cell 2, line 1, column 7', 400)
            )
          )
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(300);
      // Then
      expect(model.extraction).toMatchObject({
        status: 'error',
        cellId: 'c2',
        message: 'Syntax error in cell 2, line 1, column 7',
        httpStatus: 400
      });
      // When the user retries
      await model.refresh();
      // Then
      expect(client.extract).toHaveBeenCalledTimes(2);
      expect(model.extraction).toMatchObject({
        status: 'ready',
        extraction: { module: 'module of c2' }
      });
    });

    it('waits while hidden and catches up when shown', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.visible = false;
      model.setActiveCell(snapshot('c1'));
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(1000);
      expect(client.extract).not.toHaveBeenCalled();
      model.visible = true;
      await jest.advanceTimersByTimeAsync(300);
      expect(client.extract).toHaveBeenCalledTimes(1);
      expect(model.extraction).toMatchObject({ status: 'ready', cellId: 'c2' });
    });
  });

  describe('stale detection', () => {
    it('marks the module stale when the cell is edited, and fresh when undone', async () => {
      // Given an extracted cell
      const model = new FeatureModel({ client: fakeClient() });
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(300);
      expect(model.extractionStale).toBe(false);
      const changed = jest.fn();
      model.changed.connect(changed);
      // When the user types
      model.activeSourceChanged('c2', 'input = "b"');
      // Then
      expect(model.extractionStale).toBe(true);
      expect(changed).toHaveBeenCalledTimes(1);
      // When more typing keeps it stale, nobody is told again
      model.activeSourceChanged('c2', 'input = "bc"');
      expect(changed).toHaveBeenCalledTimes(1);
      // When the edit is undone
      model.activeSourceChanged('c2', 'input = "a"\ntransformer = helper');
      expect(model.extractionStale).toBe(false);
    });

    it('ignores edits of other cells', async () => {
      const model = new FeatureModel({ client: fakeClient() });
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(300);
      model.activeSourceChanged('c1', 'changed');
      expect(model.extractionStale).toBe(false);
    });

    it('runs the edited source when the cell is run', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(300);
      model.activeSourceChanged('c2', 'input = "b"');
      model.cellExecuted(snapshot('c2', { c2: 'input = "b"' }));
      await jest.advanceTimersByTimeAsync(300);
      expect(client.extract.mock.calls[1][0].cells[1].source).toBe(
        'input = "b"'
      );
      expect(model.extractionStale).toBe(false);
    });
  });

  describe('validation', () => {
    it('goes idle -> validating -> done, with the report', async () => {
      // Given a server that validates slowly
      const answer = new Deferred<IValidationReport>();
      const client = fakeClient({ validate: jest.fn(() => answer.promise) });
      let clock = 1000;
      const model = new FeatureModel({ client, now: () => clock });
      model.setActiveCell(snapshot('c2'));
      expect(model.validation.status).toBe('idle');
      // When the user validates
      const done = model.validate();
      await flush();
      // Then the panel shows progress
      expect(model.validation).toMatchObject({
        status: 'validating',
        cellId: 'c2'
      });
      // When the report arrives 170 ms later
      clock += 170;
      answer.resolve(report());
      await done;
      // Then
      expect(model.validation).toMatchObject({
        status: 'done',
        cellId: 'c2',
        elapsedMs: 170,
        report: { passed: true }
      });
      expect(client.validate.mock.calls[0][0]).toMatchObject({
        cell_id: 'c2',
        path: 'work/nb.ipynb'
      });
    });

    it("keeps the server's message on error, and retry clears it", async () => {
      const client = fakeClient({
        validate: jest
          .fn(() => Promise.resolve(report()))
          .mockImplementationOnce(() =>
            Promise.reject(
              new APIError('No ballet.yml found above work/nb.ipynb', 404)
            )
          )
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await model.validate();
      expect(model.validation).toMatchObject({
        status: 'error',
        message: 'No ballet.yml found above work/nb.ipynb',
        httpStatus: 404
      });
      await model.validate();
      expect(model.validation.status).toBe('done');
    });

    it('shows a failing report as a report, not an error', async () => {
      const failing = report({
        passed: false,
        acceptance: null,
        checks: [
          {
            name: 'NoMissingValuesCheck',
            passed: false,
            message: '12% of the values are NaN',
            advice: 'Fill missing values, e.g. with SimpleImputer',
            duration_ms: 2
          }
        ]
      });
      const client = fakeClient({
        validate: jest.fn(() => Promise.resolve(failing))
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await model.validate();
      expect(model.validation).toMatchObject({
        status: 'done',
        report: { passed: false }
      });
    });

    it('marks the report stale when the cell is edited since', async () => {
      const client = fakeClient({
        validate: jest.fn(() => Promise.resolve(report()))
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await model.validate();
      expect(model.validationStale).toBe(false);
      model.activeSourceChanged('c2', 'input = "Gr Liv Area"');
      expect(model.validationStale).toBe(true);
    });

    it('keeps each cell its own report', async () => {
      const client = fakeClient({
        validate: jest.fn(ref =>
          Promise.resolve(
            report({
              feature: {
                name: `feature of ${ref.cell_id}`,
                input: [],
                output: []
              }
            })
          )
        )
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await model.validate();
      model.setActiveCell(snapshot('c1'));
      expect(model.validation.status).toBe('idle');
      model.setActiveCell(snapshot('c2'));
      expect(model.validation).toMatchObject({
        status: 'done',
        report: { feature: { name: 'feature of c2' } }
      });
    });

    it('lets a newer validation of the cell win over an older one', async () => {
      const first = new Deferred<IValidationReport>();
      const client = fakeClient({
        validate: jest
          .fn()
          .mockImplementationOnce(() => first.promise)
          .mockImplementationOnce(() =>
            Promise.resolve(report({ passed: false }))
          )
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      const older = model.validate();
      await model.validate();
      first.resolve(report({ passed: true }));
      await older;
      expect(model.validation).toMatchObject({
        status: 'done',
        report: { passed: false }
      });
    });

    it('does not validate a markdown cell', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('m1'));
      expect(await model.validate()).toBeNull();
      expect(client.validate).not.toHaveBeenCalled();
    });

    it('says so when the server extension is missing', async () => {
      const client = fakeClient({
        info: jest.fn(() =>
          Promise.reject(new APIError('404 Not Found', 404, false))
        )
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await model.validate();
      expect(client.validate).not.toHaveBeenCalled();
      expect(model.validation).toMatchObject({ status: 'error' });
      expect((model.validation as any).message).toContain('not available');
    });
  });

  describe('auto-validate', () => {
    it('validates a run cell once, after the debounce, when on', async () => {
      const client = fakeClient({
        validate: jest.fn(() => Promise.resolve(report()))
      });
      const model = new FeatureModel({ client, debounceMs: 300 });
      model.autoValidate = true;
      // "Run all": three cells run in a burst
      model.cellExecuted(snapshot('c1'));
      model.cellExecuted(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(299);
      expect(client.validate).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(client.validate).toHaveBeenCalledTimes(1);
      expect(client.validate.mock.calls[0][0].cell_id).toBe('c2');
    });

    it('does nothing when off (the default)', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.cellExecuted(snapshot('c2'));
      await jest.advanceTimersByTimeAsync(1000);
      expect(client.validate).not.toHaveBeenCalled();
    });

    it('does not validate a cell the user went to while another ran', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.autoValidate = true;
      model.cellExecuted(snapshot('c2'), false);
      await jest.advanceTimersByTimeAsync(1000);
      expect(client.validate).not.toHaveBeenCalled();
      // ...but its module is refreshed (the notebook changed)
      expect(client.extract).toHaveBeenCalledTimes(1);
    });

    it('skips markdown cells', async () => {
      const client = fakeClient();
      const model = new FeatureModel({ client });
      model.autoValidate = true;
      model.cellExecuted(snapshot('m1'));
      await jest.advanceTimersByTimeAsync(1000);
      expect(client.validate).not.toHaveBeenCalled();
    });
  });

  describe('submission', () => {
    const RESULT = {
      pr_url: 'http://127.0.0.1:9999/demo/ames-house-prices/pull/3',
      pr_number: 3,
      repo: 'demo/ames-house-prices',
      branch: 'submit-feature/lot_area_log',
      file_path: 'src/ames/features/contrib/user_alice/feature_lot_area_log.py',
      updated: false,
      report: null
    };

    it('goes submitting -> done, and sends force only when asked', async () => {
      const client = fakeClient({
        submit: jest.fn(() => Promise.resolve(RESULT))
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      const pending = model.submit();
      expect(model.submission).toMatchObject({ status: 'submitting' });
      await pending;
      expect(model.submission).toMatchObject({
        status: 'done',
        result: { pr_number: 3 }
      });
      expect(client.submit.mock.calls[0][0].force).toBeUndefined();
      await model.submit(true);
      expect(client.submit.mock.calls[1][0].force).toBe(true);
    });

    it("rejects with the server's message and keeps it for the panel", async () => {
      const client = fakeClient({
        submit: jest.fn(() =>
          Promise.reject(new APIError('GitHub: Bad credentials', 502))
        )
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await expect(model.submit()).rejects.toThrow('GitHub: Bad credentials');
      expect(model.submission).toMatchObject({
        status: 'error',
        httpStatus: 502,
        message: 'GitHub: Bad credentials'
      });
    });

    it('shows the report that came with the submission', async () => {
      const client = fakeClient({
        submit: jest.fn(() =>
          Promise.resolve({ ...RESULT, report: report({ passed: true }) })
        )
      });
      const model = new FeatureModel({ client });
      model.setActiveCell(snapshot('c2'));
      await model.submit();
      expect(model.validation).toMatchObject({
        status: 'done',
        report: { passed: true }
      });
    });
  });
});
