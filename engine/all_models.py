"""Import every module that declares tables, so metadata and migrations see them all."""

from engine import (  # noqa: F401
    case_models,
    designer_models,  # noqa: F401
    models,  # noqa: F401
    monitoring_models,  # noqa: F401
    org_models,
)
