/**
 * The Feature panel's Project tab against the real server, worker and demo
 * project: who wrote which feature, which columns are left unexplored, and
 * the cells "Explore" and "Insert" put into the notebook.
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { CELL, featurePanel, openFixture, VALIDATION_TIMEOUT } from './helpers';

/** Open the Project tab (its command) and wait for the view. */
async function showProject(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('jupyter-ext:show-project')
  );
  const panel = featurePanel(page);
  await expect(panel.getByRole('tab', { name: 'Project' })).toHaveAttribute(
    'aria-selected',
    'true'
  );
  // The first view loads the data and every feature (then it is cached).
  await expect(panel.locator('.jp-JupyterExt-project')).toHaveAttribute(
    'data-state',
    'ready',
    { timeout: VALIDATION_TIMEOUT }
  );
  return panel;
}

/**
 * The sources of the current notebook's cells, from its model (Galata's cell
 * helpers scroll through the notebook, which would move the active cell).
 */
async function cellSources(page: IJupyterLabPageFixture): Promise<string[]> {
  return page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const notebooks = Array.from(app.shell.widgets('main')).filter(
      (w: any) => w.content?.model?.sharedModel?.cells
    ) as any[];
    const current =
      notebooks.find(w => w === app.shell.currentWidget) ?? notebooks[0];
    return current.content.model.sharedModel.cells.map((c: any) =>
      c.getSource()
    );
  });
}

/** The index of the current notebook's active cell. */
async function activeIndex(page: IJupyterLabPageFixture): Promise<number> {
  return page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const panel = Array.from(app.shell.widgets('main')).find(
      (w: any) => w.content?.model?.sharedModel?.cells
    ) as any;
    return panel.content.activeCellIndex;
  });
}

test.describe('Project tab', () => {
  test.beforeEach(async ({ page, tmpPath }) => {
    await openFixture(page, tmpPath);
  });

  test('shows the features, the unexplored columns and the coverage', async ({
    page
  }) => {
    const panel = await showProject(page);

    const features = panel.getByRole('table', {
      name: 'Features of the project'
    });
    const rows = features.locator('.jp-JupyterExt-featureRow');
    await expect(rows).toHaveCount(6);
    await expect(
      rows.filter({ hasText: 'Total square footage' }).first()
    ).toContainText('by alice');

    // No seed feature reads the overall quality, the most informative column
    // left (the starter notebook's feature): it comes first.
    const unexplored = panel.getByRole('region', {
      name: 'Unexplored columns'
    });
    const first = unexplored.locator('.jp-JupyterExt-unexploredItem').first();
    await expect(first).toContainText('Overall Qual');
    await expect(first).toContainText('informative');
    await expect(
      first.getByRole('button', { name: 'Explore column Overall Qual' })
    ).toBeVisible();
    await expect(unexplored).toHaveScreenshot('project-unexplored.png');

    const coverage = panel.getByRole('table', {
      name: 'Coverage of the raw columns'
    });
    await expect(coverage.locator('.jp-JupyterExt-columnRow')).toHaveCount(81);
    await expect(
      coverage.locator('.jp-JupyterExt-columnRow').first()
    ).toHaveAttribute('data-column', 'Overall Qual');
    await expect(
      coverage.locator('[data-column="Neighborhood"] td').nth(2)
    ).toHaveText('1');

    // Searching narrows both tables.
    await panel.getByRole('searchbox', { name: 'Search features' }).fill('bob');
    await expect(rows).toHaveCount(2);
    await panel
      .getByRole('searchbox', { name: 'Search columns' })
      .fill('garage');
    await expect(
      coverage.locator('.jp-JupyterExt-columnRow').first()
    ).toContainText('Garage');
  });

  test('"Explore" inserts a plot and a feature template below the active cell', async ({
    page
  }) => {
    await page.notebook.selectCells(CELL.helper);
    expect(await activeIndex(page)).toBe(CELL.helper);
    const before = await cellSources(page);
    const panel = await showProject(page);

    await panel
      .getByRole('region', { name: 'Unexplored columns' })
      .getByRole('button', { name: 'Explore column Neighborhood' })
      .click();

    await expect
      .poll(async () => (await cellSources(page)).length)
      .toBe(before.length + 2);
    const after = await cellSources(page);
    expect(after[CELL.helper]).toBe(before[CELL.helper]);
    expect(after[CELL.helper + 1]).toContain('column = X_df["Neighborhood"]');
    expect(after[CELL.helper + 1]).toContain('ax.boxplot(');
    expect(after[CELL.helper + 2]).toContain('input = ["Neighborhood"]');
    expect(after[CELL.helper + 2]).toContain('OneHotEncoder(');
    expect(after[CELL.helper + 3]).toBe(before[CELL.helper + 1]);
    // The template is the active cell: the Feature panel is about it.
    expect(await activeIndex(page)).toBe(CELL.helper + 2);
  });

  test('a feature opens read-only and can be inserted to learn from', async ({
    page
  }) => {
    await page.notebook.selectCells(CELL.intro);
    const before = await cellSources(page);
    const panel = await showProject(page);

    await panel
      .getByRole('button', { name: 'Log lot area', exact: true })
      .click();
    const view = page.getByRole('tabpanel', { name: 'Log lot area' });
    await expect(view).toBeVisible();
    await expect(view).toContainText('by bob');
    const code = view.getByLabel('Feature source (read-only)');
    await expect(code).toContainText('input = "Lot Area"');
    await expect(code).not.toHaveAttribute('contenteditable', 'true');

    await view.getByRole('button', { name: 'Insert into notebook' }).click();
    await expect
      .poll(async () => (await cellSources(page)).length)
      .toBe(before.length + 1);
    const inserted = (await cellSources(page))[CELL.intro + 1];
    expect(inserted).toContain('# Feature "Log lot area" by bob, from src/');
    expect(inserted).toContain('input = "Lot Area"');
  });
});
