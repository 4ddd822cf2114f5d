"""Keep long-lived instances cheap: cut completed history above everything that is still unfinished.

SpiffWorkflow walks the whole task tree on every step, so a case that loops for years (monthly reviews)
gets slower with every cycle and finally exceeds the iterator's depth limit. The finished part of the tree
above the nearest common ancestor of all unfinished tasks can never run again, so kimflow drops it once the
tree is large. What happened stays in the audit log and the human-task table.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.task import TaskState

PRUNE_ABOVE_TASKS = 200


def prune_history(workflow, threshold: int = PRUNE_ABOVE_TASKS) -> int:
    """Re-root the workflow's task tree at the nearest common ancestor of its unfinished tasks; return tasks cut."""
    if len(workflow.tasks) <= threshold or workflow.completed:
        return 0
    unfinished = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return 0
    new_root = _safe_root(_common_ancestor(unfinished), unfinished)
    if new_root is None or new_root is workflow.task_tree:
        return 0
    keep = {task.id for task in _descendants(new_root)}
    before = len(workflow.tasks)
    workflow.tasks = {task_id: task for task_id, task in workflow.tasks.items() if task_id in keep}
    new_root.data = dict(new_root.data)  # becomes the root: its data is stored whole, not as a delta
    new_root._parent = None
    workflow.task_tree = new_root
    if workflow.last_task is not None and workflow.last_task.id not in keep:
        workflow.last_task = new_root
    return before - len(workflow.tasks)


def _safe_root(candidate, unfinished, max_climb: int = 64):
    """Move the cut up until it is finished and keeps what parallel and inclusive joins look back for."""
    # An unfinished task still inherits data from its parent when it runs.
    while candidate is not None and not candidate.has_state(TaskState.FINISHED_MASK):
        candidate = candidate.parent
    # SpiffWorkflow's joins walk up their ancestors to the first task of an incoming flow's source; the cut
    # is safe when every such source above it also appears below it, so every walk stops below the cut.
    joins = [t for t in unfinished if isinstance(t.task_spec, UnstructuredJoin) and len(t.task_spec.inputs) > 1]
    for _ in range(max_climb):
        if candidate is None:
            return None
        if all(_walks_stay_below(join, candidate) for join in joins):
            return candidate
        candidate = candidate.parent
    return None


def _walks_stay_below(join, root) -> bool:
    inputs = {spec.name for spec in join.task_spec.inputs}
    below: set[str] = set()
    above: set[str] = set()
    node, past_root = join, False
    while node is not None:
        if node.task_spec.name in inputs:
            (above if past_root else below).add(node.task_spec.name)
        past_root = past_root or node is root
        node = node.parent
    return above <= below


def _common_ancestor(tasks):
    chain = []
    node = tasks[0]
    while node is not None:
        chain.append(node)
        node = node.parent
    position = {id(task): index for index, task in enumerate(chain)}
    highest = 0
    for task in tasks[1:]:
        node = task
        while node is not None and id(node) not in position:
            node = node.parent
        if node is None:
            return None
        highest = max(highest, position[id(node)])
    return chain[highest]


def _descendants(root):
    stack = [root]
    while stack:
        task = stack.pop()
        yield task
        stack.extend(task.children)
