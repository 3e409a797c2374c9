"""Where Celery looks for the administration pages' tasks: the caseload import's, defined beside the
services that queue them (administration.caseload_import.services), so that nothing imports back."""

from .caseload_import.services import caseload_check_task, caseload_import_task

__all__ = ["caseload_check_task", "caseload_import_task"]
