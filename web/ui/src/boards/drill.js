// Which records are behind a chart element: the report returns, per row, the records-list parameters
// (`where`, and `filter` when the report has one) listing exactly the records of that row.

// The row index a clicked element stands for (null when none).
export function rowOfElement(widget, params) {
  const { result, axes, option } = widget
  const rows = result.rows || []
  if (axes && axes.series && option && option.xAxis && Array.isArray(option.xAxis.data)) {
    // one series per value of the series dimension: the category and the series name pick the row
    const category = option.xAxis.data[params.dataIndex]
    const seriesValue = (option.series[params.seriesIndex] || {}).name
    const found = rows.findIndex((r) => r[axes.x] === category && String(r[axes.series] ?? '') === seriesValue)
    return found >= 0 ? found : null
  }
  return Number.isInteger(params.dataIndex) && params.dataIndex < rows.length ? params.dataIndex : null
}

// The drill parameters of one row, or of every row together (a KPI or a gauge shows the totals).
export function drillOf(result, row) {
  const drills = result.drill || []
  if (row !== null && row !== undefined) return drills[row] || null
  if (!drills.length) return null
  if (drills.length === 1) return drills[0]
  const wheres = drills.map((d) => d.where).filter(Boolean)
  return { ...drills[0], where: wheres.length === drills.length ? wheres.map((w) => `(${w})`).join(' or ') : undefined }
}
