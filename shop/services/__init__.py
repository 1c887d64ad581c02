"""Workflows as typed functions that take a Session; the caller owns the transaction."""
