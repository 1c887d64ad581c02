"""The changelist's links: pages (with seek positions), filters carried along, "Show all".

A mixin of ChangeList: it reads the parsed parameters, the pagination and the rows shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.http import urlencode

from shop.admin.changelist.params import (
    AFTER_VAR,
    ALL_VAR,
    BEFORE_VAR,
    ERROR_FLAG,
    PAGE_VAR,
    SEARCH_VAR,
    query_string,
)
from shop.admin.paths import SEPARATOR

if TYPE_CHECKING:
    from shop.admin.changelist.pagination import Pagination
    from shop.admin.changelist.params import ChangeListParams
    from shop.admin.changelist.seek import SeekKey
    from shop.admin.options import ModelAdmin
    from shop.admin.paths import ResolvedPath


class Navigation:
    params: ChangeListParams
    pagination: Pagination
    model_admin: ModelAdmin
    request: Any
    date_path: ResolvedPath | None
    seek_key: SeekKey | None
    result_list: list[Any]

    @property
    def preserved_filters(self) -> str:
        """`_changelist_filters=...`, so the change page can come back to this list."""
        if not self.model_admin.preserve_filters:
            return ""
        current = self.request.GET.copy()
        current.pop(ERROR_FLAG, None)
        encoded = current.urlencode()
        return urlencode({"_changelist_filters": encoded}) if encoded else ""

    def get_query_string(
        self, new: dict[str, Any] | None = None, remove: list[str] | None = None
    ) -> str:
        return query_string(self.params.kept, new, remove or [])

    @property
    def clear_all_filters_qs(self) -> str:
        keys = [lookup.key for lookup in self.params.lookups]
        if self.date_path is not None:
            keys.append(f"{self.date_path.name}{SEPARATOR}")
        return self.get_query_string(remove=keys)

    @property
    def search_hidden(self) -> list[tuple[str, str]]:
        """The other parameters, carried by the search form as hidden inputs."""
        kept = self.params.kept
        return [(k, v) for k, vals in sorted(kept.items()) if k != SEARCH_VAR for v in vals]

    @property
    def page_links(self) -> list[dict[str, Any]]:
        links = []
        for number in self.pagination.page_range:
            if not isinstance(number, int):
                links.append({"ellipsis": True, "number": number})
            else:
                url = self._page_url(number)
                links.append({"number": number, "url": url, "current": number == self.page})
        return links

    def _page_url(self, number: int) -> str:
        """A page's link; past an exact count, the pages next to this one start from its
        rows' keys (seek), so paging on through a big list never walks an offset."""
        if self.seek_key is not None and self.result_list and not self.pagination.known:
            if number == self.page + 1:
                position = {AFTER_VAR: self.seek_key.encode(self.result_list[-1])}
                return self.get_query_string({PAGE_VAR: number, **position})
            if number == self.page - 1 and number > 1:
                position = {BEFORE_VAR: self.seek_key.encode(self.result_list[0])}
                return self.get_query_string({PAGE_VAR: number, **position})
        return self.get_query_string({PAGE_VAR: number})

    @property
    def page(self) -> int:
        return self.pagination.page

    @property
    def show_all_url(self) -> str | None:
        p = self.pagination
        count = p.result_count.value
        can = p.known and count is not None and count <= self.model_admin.list_max_show_all
        if can and not p.show_all and p.multi_page:
            return self.get_query_string({ALL_VAR: ""})
        return None

    @property
    def previous_url(self) -> str | None:
        return self._page_url(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        p = self.pagination
        has_next = p.has_next if not p.known else self.page < (p.num_pages or 1)
        return self._page_url(self.page + 1) if has_next else None
