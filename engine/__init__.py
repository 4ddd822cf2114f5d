"""kimflow's generic BPM engine around SpiffWorkflow: the public API for the web layer and workflows.

Layers, from the top (each imports only layers below it; enforced by import-linter in pyproject.toml):
read -> service | identity -> runtime | store -> bpmn -> core.
"""

from engine import cli
from engine.bpmn.forms import Form, FormField, date_bound
from engine.core import clock
from engine.core.actors import Actor
from engine.core.errors import (
    CorrelationError,
    DefinitionError,
    FormErrors,
    KimflowError,
    NotFound,
    PermissionDenied,
    Problem,
    TaskAlreadyCompleted,
)
from engine.core.localtime import LOCAL_TIME, german_date, local_date
from engine.identity import org, service_accounts, sso, totp
from engine.identity.accounts import AccountError, verify_password
from engine.identity.models import ROLES
from engine.read import handover, health, heatmap, inbox, lists, monitoring, startable
from engine.read.form_catalogue import display_value, field_catalogue
from engine.read.inbox import InboxFilter
from engine.runtime.scenarios import FileReport, ScenarioFileError, run_file, scenario_paths
from engine.service import external_tasks, hooks, task_rule
from engine.service.admin import SKIP_REASONS
from engine.service.designer import Designer, defined_id, scenario_from, valid_id
from engine.service.drafts import DraftConflict, DraftInput
from engine.service.engine import InstanceView, ProcessEngine
from engine.service.registry import Extensions, InstanceContext, PeriodicTask, ServiceCall
from engine.service.task_rule import available_to
from engine.store import audit
from engine.store import reference as reference_scope
from engine.store.db import Database
from engine.store.models import AuditEvent, DefinitionVersion, HumanTask, ProcessInstance

__all__ = [
    "LOCAL_TIME", "ROLES", "AccountError", "Actor", "AuditEvent", "CorrelationError", "Database", "DefinitionError",
    "DefinitionVersion", "Designer", "date_bound", "local_date", "DraftConflict", "DraftInput", "Extensions",
    "FileReport", "Form",
    "FormErrors", "FormField", "HumanTask", "InboxFilter", "InstanceContext", "InstanceView", "KimflowError",
    "NotFound", "PeriodicTask", "PermissionDenied", "Problem", "ProcessEngine", "ProcessInstance",
    "SKIP_REASONS", "ScenarioFileError", "ServiceCall", "TaskAlreadyCompleted", "audit", "available_to", "cli", "clock",
    "defined_id", "display_value", "external_tasks", "field_catalogue", "german_date", "handover", "health", "heatmap",
    "hooks", "inbox", "lists", "monitoring", "org", "reference_scope",
    "run_file", "scenario_from", "scenario_paths", "service_accounts",
    "sso", "startable", "task_rule", "totp", "valid_id", "verify_password",
]
