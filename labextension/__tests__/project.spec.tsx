import { nullTranslator } from '@jupyterlab/translation';
import { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { IDiscoveryColumn, IDiscoveryFeature, IDiscoveryView } from '../api';
import { FeatureModel } from '../model';
import { FeaturePanel } from '../panel';
import { ProjectCommandIDs } from '../project';
import {
  barFraction,
  exploreCells,
  featureCell,
  filterColumns,
  ProjectModel
} from '../projectModel';
import { addProjectCommands, IProjectCommandContext } from '../projectPlugin';
import { APIError } from '../request';
import { Deferred, fakeClient } from './fakes';

const trans = nullTranslator.load('jupyter_ext');

function feature(
  name: string,
  author: string,
  input: string[],
  extra: Partial<IDiscoveryFeature> = {}
): IDiscoveryFeature {
  const slug = name.toLowerCase().replace(/\W+/g, '_');
  return {
    name,
    author,
    description: null,
    input,
    output: [slug],
    path: `src/ames/features/contrib/user_${author}/feature_${slug}.py`,
    source: `input = ${JSON.stringify(input)}\ntransformer = None\nname = ${JSON.stringify(name)}\n`,
    source_hash: 'sha256:0',
    mutual_information: 0.5,
    conditional_mutual_information: 0.1,
    note: null,
    error: null,
    ...extra
  };
}

function column(
  name: string,
  rank: number,
  extra: Partial<IDiscoveryColumn> = {}
): IDiscoveryColumn {
  return {
    name,
    type: 'numeric',
    dtype: 'float64',
    missing: 0,
    missing_fraction: 0,
    distinct: 100,
    feature_count: 0,
    features: [],
    mutual_information: 0.3,
    conditional_mutual_information: 0.1 / rank,
    informative: rank === 1,
    rank,
    note: null,
    ...extra
  };
}

function view(extra: Partial<IDiscoveryView> = {}): IDiscoveryView {
  return {
    project: {
      name: 'Ames',
      problem_type: 'regression',
      contrib_path: 'src/ames/features/contrib'
    },
    target: 'SalePrice',
    noise_floor: 0.034,
    features: [
      feature('Overall quality', 'alice', ['Overall Qual'], {
        description: 'Rated 1 to 10.'
      }),
      feature('Log lot area', 'bob', ['Lot Area']),
      feature('Garage size', 'bob', ['Garage Cars', 'Garage Area'])
    ],
    columns: [
      column('Lot Area', 3, { feature_count: 1, features: ['Log lot area'] }),
      column('Neighborhood', 1, { type: 'categorical', dtype: 'object' }),
      column('Garage Yr Blt', 2, { missing: 109, missing_fraction: 0.0555 })
    ],
    unexplored: [
      {
        name: 'Neighborhood',
        type: 'categorical',
        feature_count: 0,
        mutual_information: 0.57,
        conditional_mutual_information: 0.1,
        missing_fraction: 0,
        informative: true,
        rank: 1
      }
    ],
    failed: [],
    partial: false,
    error: null,
    ...extra
  };
}

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

describe('ProjectModel', () => {
  it("loads the notebook's project view once, and again on refresh", async () => {
    const fetch = jest.fn(() => Promise.resolve(view()));
    const model = new ProjectModel({ fetch, notebookPath: () => 'nb.ipynb' });
    expect(model.state.status).toBe('idle');
    await model.ensureLoaded();
    await model.ensureLoaded();
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith('nb.ipynb');
    expect(model.state.status).toBe('ready');
    await model.refresh();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('keeps showing the last view while reloading', async () => {
    const next = new Deferred<IDiscoveryView>();
    const fetch = jest
      .fn()
      .mockImplementationOnce(() => Promise.resolve(view()))
      .mockImplementationOnce(() => next.promise);
    const model = new ProjectModel({ fetch });
    await model.refresh();
    const pending = model.refresh();
    expect(model.state.status).toBe('loading');
    expect(model.features).toHaveLength(3);
    next.resolve(view({ features: [] }));
    await pending;
    expect(model.features).toHaveLength(0);
  });

  it("shows the worker's error and the server's message", async () => {
    const failed = view({
      features: [],
      columns: [],
      error: { kind: 'data', message: 'Data file entities.csv does not exist.' }
    });
    const model = new ProjectModel({
      fetch: jest
        .fn()
        .mockImplementationOnce(() => Promise.resolve(failed))
        .mockImplementationOnce(() =>
          Promise.reject(new APIError('No ballet.yml found', 404))
        )
    });
    await model.refresh();
    expect(model.state).toMatchObject({
      status: 'error',
      message: 'Data file entities.csv does not exist.'
    });
    await model.ensureLoaded(); // an error is retried
    expect(model.state).toMatchObject({
      status: 'error',
      httpStatus: 404,
      message: 'No ballet.yml found'
    });
  });

  it('searches features by any word of name, author, inputs and description', async () => {
    const model = new ProjectModel({ fetch: () => Promise.resolve(view()) });
    await model.refresh();
    const changed = jest.fn();
    model.changed.connect(changed);
    model.featureQuery = 'bob garage';
    expect(model.features.map(f => f.name)).toEqual(['Garage size']);
    model.featureQuery = 'RATED';
    expect(model.features.map(f => f.name)).toEqual(['Overall quality']);
    model.featureQuery = '';
    expect(model.features).toHaveLength(3);
    expect(changed).toHaveBeenCalledTimes(3);
  });

  it('lists columns by rank and searches them by name, type and reading feature', async () => {
    const model = new ProjectModel({ fetch: () => Promise.resolve(view()) });
    await model.refresh();
    expect(model.columns.map(c => c.name)).toEqual([
      'Neighborhood',
      'Garage Yr Blt',
      'Lot Area'
    ]);
    model.columnQuery = 'categorical';
    expect(model.columns.map(c => c.name)).toEqual(['Neighborhood']);
    expect(filterColumns(view().columns, 'log lot').map(c => c.name)).toEqual([
      'Lot Area'
    ]);
    expect(model.maxInformation).toBeCloseTo(0.1);
  });
});

describe('bars and cells', () => {
  it('scales bars to the largest value and never hides a positive one', () => {
    expect(barFraction(0.05, 0.1)).toBeCloseTo(0.5);
    expect(barFraction(1e-6, 0.1)).toBe(0.02);
    expect(barFraction(0, 0.1)).toBe(0);
    expect(barFraction(null, 0.1)).toBe(0);
    expect(barFraction(0.1, 0)).toBe(0);
  });

  it('heads an inserted feature with its name, author and file', () => {
    const f = feature('Log lot area', 'bob', ['Lot Area']);
    const cell = featureCell(f);
    expect(cell.split('\n')[0]).toBe(
      `# Feature "Log lot area" by bob, from ${f.path}.`
    );
    expect(cell).toContain('name = "Log lot area"');
  });

  it('explores a numeric column with a scatter plot and an imputing template', () => {
    const cells = exploreCells(
      column('Garage Yr Blt', 2, { missing: 109 }),
      view()
    );
    expect(cells.plot).toContain('column = X_df["Garage Yr Blt"]');
    expect(cells.plot).toContain('ax.scatter(column, target');
    expect(cells.plot).toContain('no feature reads it yet');
    expect(cells.feature).toContain('input = ["Garage Yr Blt"]');
    expect(cells.feature).toContain('SimpleImputer(strategy="median")');
    expect(cells.feature).toContain('109 values are missing');
    expect(cells.feature).toContain('name = "Garage yr blt"');
  });

  it('explores a categorical column with box plots and a one-hot template', () => {
    const cells = exploreCells(
      column('Neighborhood', 1, { type: 'categorical' }),
      view()
    );
    expect(cells.plot).toContain('ax.boxplot(');
    expect(cells.feature).toContain('OneHotEncoder(handle_unknown="ignore"');
  });

  it('escapes column names as Python strings', () => {
    const cells = exploreCells(column('Say "hi"\\', 1), view());
    expect(cells.plot).toContain('X_df["Say \\"hi\\"\\\\"]');
    expect(cells.feature).toContain('input = "Say \\"hi\\"\\\\"');
  });

  it('plots classes for a classification target', () => {
    const classification = view({
      project: { name: 'x', problem_type: 'classification', contrib_path: 'c' }
    });
    const numeric = exploreCells(column('Age', 1), classification);
    expect(numeric.plot).toContain('ax.hist(');
    const categorical = exploreCells(
      column('Job', 1, { type: 'categorical' }),
      classification
    );
    expect(categorical.plot).toContain('plot.barh(stacked=True');
  });
});

describe('project commands', () => {
  async function setUp() {
    const model = new ProjectModel({ fetch: () => Promise.resolve(view()) });
    await model.refresh();
    const inserted: string[][] = [];
    const ctx: IProjectCommandContext = {
      model,
      trans,
      insert: jest.fn(sources => {
        inserted.push(sources);
        return true;
      }),
      openSource: jest.fn(),
      showTab: jest.fn(),
      notifyError: jest.fn()
    };
    const commands = new CommandRegistry();
    addProjectCommands(commands, ctx);
    return { model, ctx, commands, inserted };
  }

  it('inserts a feature, and a plot plus a template for a column', async () => {
    const { commands, inserted, model } = await setUp();
    const f = model.view!.features[1];
    await commands.execute(ProjectCommandIDs.insertFeature, { path: f.path });
    await commands.execute(ProjectCommandIDs.exploreColumn, {
      column: 'Neighborhood'
    });
    expect(inserted).toHaveLength(2);
    expect(inserted[0]).toEqual([featureCell(f)]);
    expect(inserted[1]).toHaveLength(2);
    expect(inserted[1][1]).toContain('input = ["Neighborhood"]');
  });

  it('says to open a notebook when there is none', async () => {
    const { commands, ctx } = await setUp();
    (ctx.insert as jest.Mock).mockReturnValue(false);
    await commands.execute(ProjectCommandIDs.exploreColumn, {
      column: 'Lot Area'
    });
    expect(ctx.notifyError).toHaveBeenCalledWith(
      expect.stringContaining('Open a notebook first')
    );
  });

  it('opens a known feature and is disabled for unknown ones', async () => {
    const { commands, ctx, model } = await setUp();
    const f = model.view!.features[0];
    expect(
      commands.isEnabled(ProjectCommandIDs.openSource, { path: 'nope.py' })
    ).toBe(false);
    expect(commands.label(ProjectCommandIDs.openSource, { path: f.path })).toBe(
      'Open the Source of Overall quality'
    );
    await commands.execute(ProjectCommandIDs.openSource, { path: f.path });
    expect(ctx.openSource).toHaveBeenCalledWith(f);
    expect(
      commands.isEnabled(ProjectCommandIDs.exploreColumn, { column: 'nope' })
    ).toBe(false);
  });
});

describe('the Project tab', () => {
  let panel: FeaturePanel | null = null;
  afterEach(() => {
    panel?.dispose();
    panel = null;
  });

  it('loads when opened and shows features, unexplored columns and coverage', async () => {
    const commands = new CommandRegistry();
    const executed: [string, any][] = [];
    for (const id of [
      ProjectCommandIDs.openSource,
      ProjectCommandIDs.insertFeature,
      ProjectCommandIDs.exploreColumn
    ]) {
      commands.addCommand(id, {
        execute: args => {
          executed.push([id, args]);
        }
      });
    }
    const fetch = jest.fn(() => Promise.resolve(view()));
    const project = new ProjectModel({ fetch });
    const model = new FeatureModel({ client: fakeClient() });
    panel = new FeaturePanel({ model, trans, commands });
    panel.project = project;
    Widget.attach(panel, document.body);
    const node = panel.node;
    await until(
      () => node.querySelector('#jp-JupyterExt-tab-project') !== null,
      'the Project tab'
    );
    expect(fetch).not.toHaveBeenCalled(); // nothing until the tab is shown

    (node.querySelector('#jp-JupyterExt-tab-project') as HTMLElement).click();
    await until(
      () => node.querySelectorAll('.jp-JupyterExt-featureRow').length === 3,
      'the features'
    );
    expect(fetch).toHaveBeenCalledTimes(1);
    const ranked = Array.from(
      node.querySelectorAll('.jp-JupyterExt-columnRow')
    ).map(row => row.getAttribute('data-column'));
    expect(ranked).toEqual(['Neighborhood', 'Garage Yr Blt', 'Lot Area']);
    expect(
      node.querySelector('.jp-JupyterExt-unexplored')!.textContent
    ).toContain('Neighborhood');
    const bar = node.querySelector(
      '[data-column="Neighborhood"] .jp-JupyterExt-infoBarFill'
    ) as HTMLElement;
    expect(bar.style.width).toBe('100.0%');
    expect(bar.classList.contains('jp-mod-informative')).toBe(true);

    // Searching narrows the table.
    project.featureQuery = 'alice';
    await until(
      () => node.querySelectorAll('.jp-JupyterExt-featureRow').length === 1,
      'the search'
    );

    // The buttons run the commands.
    (
      node.querySelector(
        'button[aria-label="Insert Overall quality into the notebook"]'
      ) as HTMLElement
    ).click();
    (
      node.querySelector(
        '.jp-JupyterExt-unexplored button[aria-label="Explore column Neighborhood"]'
      ) as HTMLElement
    ).click();
    (node.querySelector('.jp-JupyterExt-featureName') as HTMLElement).click();
    await until(() => executed.length === 3, 'the commands');
    expect(executed.map(([id]) => id)).toEqual([
      ProjectCommandIDs.insertFeature,
      ProjectCommandIDs.exploreColumn,
      ProjectCommandIDs.openSource
    ]);
    expect(executed[1][1]).toEqual({ column: 'Neighborhood' });
  });
});
