"""Import every module that declares tables, so metadata and migrations see them all."""

from engine import models  # noqa: F401
from engine import case_models, org_models  # noqa: F401
from engine import designer_models  # noqa: F401
from engine import monitoring_models  # noqa: F401
