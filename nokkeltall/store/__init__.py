"""Storage of what users enter (plan status, milestones, applications), apart from statistics.

from nokkeltall.store import UserStore, ValidationError, editing_allowed
store = UserStore()                      # config.user_database_path()
store.add_application({...}, changed_by="Kari")
"""

from nokkeltall.store.access import configured_editor_password, editing_allowed
from nokkeltall.store.database import (
    ConflictError,
    ImportResult,
    NotFoundError,
    UserStore,
    ValidationError,
    plan_entries_as_sources,
)
from nokkeltall.store.validation import (
    validate_application,
    validate_milestone,
    validate_plan_entry,
)

__all__ = [
    "ConflictError",
    "ImportResult",
    "NotFoundError",
    "UserStore",
    "ValidationError",
    "configured_editor_password",
    "editing_allowed",
    "plan_entries_as_sources",
    "validate_application",
    "validate_milestone",
    "validate_plan_entry",
]
