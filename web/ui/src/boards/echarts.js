// ECharts with only what the report engine's chart types use (bar, line/area, pie/donut, funnel, scatter,
// gauge); imported with import() from ChartWidget so it is its own chunk, loaded when a dashboard opens.
import * as echarts from 'echarts/core'
import { BarChart, FunnelChart, GaugeChart, LineChart, PieChart, ScatterChart } from 'echarts/charts'
import { DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, PieChart, FunnelChart, ScatterChart, GaugeChart, DatasetComponent, GridComponent,
  LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer])

export const init = (el, locale) => echarts.init(el, null, { renderer: 'canvas', locale: locale === 'zh-CN' ? 'ZH' : 'EN' })
