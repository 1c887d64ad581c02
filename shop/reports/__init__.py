"""Read-only reports over the domain (selectors): typed query functions taking a Session."""
