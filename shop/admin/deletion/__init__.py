"""What deleting an object implies, computed from table metadata (never from the domain).

`collect()` returns a Preview: the rows that go with the object (counts per model and the
first rows of each), the rows that forbid the delete, and the models the user may not
delete. See graph.py for how foreign keys and ORM relationships are read.
"""

from __future__ import annotations

from shop.admin.deletion.graph import BLOCK, DELETE, KEEP, Edge, Graph, build_graph
from shop.admin.deletion.preview import ROWS_PER_MODEL, Group, Preview, Row, collect

__all__ = [
    "BLOCK",
    "DELETE",
    "KEEP",
    "ROWS_PER_MODEL",
    "Edge",
    "Graph",
    "Group",
    "Preview",
    "Row",
    "build_graph",
    "collect",
]
