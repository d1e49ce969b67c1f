// One ECharts instance bound to an element for a component's life:
// created on mount, given new options when they change, resized with the
// window, disposed on unmount.
import { onBeforeUnmount, onMounted, watch, type Ref } from "vue";
import { echarts } from "./echarts";

export function useChart(el: Ref<HTMLElement | null>, option: () => echarts.EChartsCoreOption) {
  let chart: echarts.ECharts | null = null;
  const resize = () => chart?.resize();
  onMounted(() => {
    if (!el.value) return;
    chart = echarts.init(el.value, undefined, { renderer: "canvas" });
    chart.setOption(option());
    window.addEventListener("resize", resize);
  });
  watch(option, (o) => chart?.setOption(o, true), { deep: true });
  onBeforeUnmount(() => {
    window.removeEventListener("resize", resize);
    chart?.dispose();
    chart = null;
  });
}
