"""The admin's pages. Views get their AdminSite as `site` (set by `as_view(site=...)`)."""
