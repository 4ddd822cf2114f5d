"""How kimflow parses decisions and runs business-rule tasks: the parser mixin and the task spec."""

from __future__ import annotations

from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask

# The task spec business-rule tasks are built with.
BUSINESS_RULE_TASK = BusinessRuleTask


class DecisionSupport:
    """Mixed into kimflow's parser ahead of SpiffWorkflow's: the place for kimflow's own DMN handling."""
