"""Cursor pagination in the order rows last changed: a system that polls with `updated_since` reads
forward from where it stopped, and a row changed while it reads moves to the end, never lost (an
offset would skip or repeat rows as they change). The cursor is opaque and signed by DRF's encoding."""

from rest_framework.pagination import CursorPagination


class UpdatedCursorPagination(CursorPagination):
    ordering = ("updated_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
