/**
 * The acceptance statistic against its threshold, as a small inline SVG:
 * one bar for the statistic, one tick for the threshold. Colours are theme
 * variables, so it reads in light and dark themes.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

export interface IStatChartProps {
  statistic: number;
  threshold: number;
  accepted: boolean;
  trans: TranslationBundle;
}

const WIDTH = 220;
const HEIGHT = 34;
const PAD = 6;
const BAR_Y = 8;
const BAR_H = 12;

/** A compact number: 0.1234 -> "0.123", 1234.5 -> "1.23e+3". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e4)) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(3)));
}

export function StatChart(props: IStatChartProps): JSX.Element {
  const { statistic, threshold, accepted, trans } = props;
  // The axis spans 0 and both values with some room on the right.
  const lo = Math.min(0, statistic, threshold);
  const hi = Math.max(0, statistic, threshold) * 1.25 || 1;
  const x = (v: number) => PAD + ((v - lo) / (hi - lo)) * (WIDTH - 2 * PAD);
  const zero = x(0);
  const stat = x(statistic);
  const thr = x(threshold);
  const label = trans.__(
    'Statistic %1 against threshold %2: %3',
    formatNumber(statistic),
    formatNumber(threshold),
    accepted ? trans.__('accepted') : trans.__('not accepted')
  );
  return (
    <svg
      className="jp-JupyterExt-chart"
      role="img"
      aria-label={label}
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
    >
      <title>{label}</title>
      <line
        className="jp-JupyterExt-chartAxis"
        x1={PAD}
        x2={WIDTH - PAD}
        y1={BAR_Y + BAR_H + 1}
        y2={BAR_Y + BAR_H + 1}
      />
      <rect
        className={
          accepted
            ? 'jp-JupyterExt-chartBar jp-mod-accepted'
            : 'jp-JupyterExt-chartBar jp-mod-rejected'
        }
        x={Math.min(zero, stat)}
        y={BAR_Y}
        width={Math.max(1, Math.abs(stat - zero))}
        height={BAR_H}
        rx={2}
      />
      <line
        className="jp-JupyterExt-chartThreshold"
        x1={thr}
        x2={thr}
        y1={BAR_Y - 5}
        y2={BAR_Y + BAR_H + 4}
      />
      <text
        className="jp-JupyterExt-chartLabel"
        x={Math.min(Math.max(thr, PAD + 30), WIDTH - PAD - 30)}
        y={HEIGHT - 1}
        textAnchor="middle"
      >
        {trans.__('threshold %1', formatNumber(threshold))}
      </text>
    </svg>
  );
}
