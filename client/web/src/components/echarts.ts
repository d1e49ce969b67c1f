// Apache ECharts, only the parts the console draws (bar and line charts
// on canvas), tree-shaken. Tooltips render as rich text inside the canvas:
// ECharts' HTML tooltips carry inline style attributes, which huizongd's
// CSP (no 'unsafe-inline') would refuse.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent, TitleComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent, CanvasRenderer]);

export { echarts };

/** A chart figure from exact text: charts need numbers, tables keep text. */
export function chartNumber(v: string | undefined): number | null {
  return v === undefined || v === "" ? null : Number(v);
}
