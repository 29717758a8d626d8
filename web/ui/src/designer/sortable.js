// Drag and drop with SortableJS, kept out of Vue's way: Sortable moves DOM nodes itself, so each drop
// first puts the node back where Vue rendered it, then reports the move; the caller changes the model and
// Vue re-renders. Use as a directive: v-sortable="{ group, list, onDrop, ... }".
//   list: an identifier of this container, handed back as `from` / `to`
//   onDrop({ from, to, oldIndex, newIndex, data }): data = the dragged element's dataset
import Sortable from 'sortablejs'

function restore(evt) {
  if (evt.pullMode === 'clone' && evt.clone && evt.clone.parentNode) {
    evt.clone.parentNode.replaceChild(evt.item, evt.clone)
  } else {
    evt.from.insertBefore(evt.item, evt.from.children[evt.oldIndex] || null)
  }
}

function create(el) {
  const options = () => el._sortableOptions || {}
  const report = (evt) => {
    const from = evt.from._sortableOptions ? evt.from._sortableOptions.list : undefined
    const { onDrop } = options()
    const data = { ...evt.item.dataset }
    restore(evt)
    if (onDrop) onDrop({ from, to: options().list, oldIndex: evt.oldDraggableIndex, newIndex: evt.newDraggableIndex, data })
  }
  const first = options()
  return Sortable.create(el, {
    group: first.group,
    sort: first.sort !== false,
    draggable: '[data-drag]',
    handle: first.handle,
    animation: 120,
    forceFallback: true, // mouse and touch events rather than native drag: the same on every browser
    fallbackTolerance: 3,
    onUpdate: report,
    onAdd: report,
  })
}

export const vSortable = {
  mounted(el, binding) {
    el._sortableOptions = binding.value
    el._sortable = create(el)
  },
  updated(el, binding) {
    el._sortableOptions = binding.value
  },
  unmounted(el) {
    if (el._sortable) el._sortable.destroy()
  },
}
