import { nullTranslator } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { FeatureModel } from '../model';
import { FeaturePanel } from '../panel';
import { APIError } from '../request';
import { extraction, fakeClient, snapshot } from './fakes';

/** Poll until `predicate` holds (React renders asynchronously). */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (predicate()) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  throw new Error(
    `timed out waiting for ${what}: ${document.body.innerHTML.slice(0, 1500)}`
  );
}

function mount(model: FeatureModel): FeaturePanel {
  const trans = nullTranslator.load('jupyter_ext');
  const panel = new FeaturePanel({ model, trans });
  Widget.attach(panel, document.body);
  return panel;
}

describe('FeaturePanel', () => {
  let panel: FeaturePanel | null = null;
  afterEach(() => {
    panel?.dispose();
    panel = null;
  });

  it('shows the extracted module and its warnings', async () => {
    // Given a server that extracts with a warning
    const client = fakeClient({
      extract: jest.fn(() =>
        Promise.resolve({
          ...extraction('def helper(x):\n    return x\n\ninput = "a"'),
          warnings: [
            {
              code: 'magic-dropped',
              message: 'Dropped IPython magic %matplotlib',
              cell_index: 1,
              line: 1
            }
          ]
        })
      )
    });
    const model = new FeatureModel({ client, debounceMs: 0 });
    panel = mount(model);
    // When a code cell is active
    model.setActiveCell(snapshot('c2'));
    // Then
    const node = panel.node;
    await until(() => node.textContent!.includes('input = "a"'), 'the module');
    expect(node.textContent).toContain('def helper(x)');
    expect(node.textContent).toContain(
      'Dropped IPython magic %matplotlib (cell 1, line 1)'
    );
    expect(
      node.querySelector('[aria-label="Feature module source"]')
    ).not.toBeNull();
  });

  it("shows the server's message and a Retry button on error", async () => {
    const client = fakeClient({
      extract: jest
        .fn(() => Promise.resolve(extraction('module of c2')))
        .mockImplementationOnce(() =>
          Promise.reject(new APIError('Syntax error at line 1, column 7', 400))
        )
    });
    const model = new FeatureModel({ client, debounceMs: 0 });
    panel = mount(model);
    model.setActiveCell(snapshot('c2'));
    const node = panel.node;
    await until(() => node.querySelector('[role="alert"]') !== null, 'alert');
    expect(node.textContent).toContain('Syntax error at line 1, column 7');
    // When the user clicks Retry
    const retry = Array.from(node.querySelectorAll('button')).find(
      b => b.textContent === 'Retry'
    )!;
    retry.click();
    // Then the module replaces the error
    await until(() => node.textContent!.includes('module of c2'), 'module');
    expect(node.querySelector('[role="alert"]')).toBeNull();
  });

  it('gives a hint for a markdown cell', async () => {
    const model = new FeatureModel({ client: fakeClient(), debounceMs: 0 });
    panel = mount(model);
    model.setActiveCell(snapshot('m1'));
    await until(
      () => panel!.node.textContent!.includes('This is a markdown cell'),
      'hint'
    );
    expect(panel.node.querySelector('[role="alert"]')).toBeNull();
  });

  it('gives a hint, not an error, for an empty code cell', async () => {
    const model = new FeatureModel({ client: fakeClient(), debounceMs: 0 });
    panel = mount(model);
    model.setActiveCell(snapshot('c2', { c2: '' }));
    await until(
      () => panel!.node.textContent!.includes('This cell is empty'),
      'hint'
    );
    expect(panel.node.querySelector('[role="alert"]')).toBeNull();
    expect(panel.node.textContent).not.toContain('Submit feature');
  });

  it('says so when the server extension is missing', async () => {
    const client = fakeClient({
      info: jest.fn(() =>
        Promise.reject(new APIError('404 Not Found', 404, false))
      )
    });
    const model = new FeatureModel({ client, debounceMs: 0 });
    panel = mount(model);
    await model.checkServer();
    await until(
      () => panel!.node.querySelector('[role="alert"]') !== null,
      'alert'
    );
    expect(panel.node.textContent).toContain(
      'server extension is not available'
    );
  });
});
