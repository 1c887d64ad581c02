"""Small helpers shared by the options and the path resolver (no engine state)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper


def pluralize(noun: str) -> str:
    """English plural of a verbose name: "category" -> "categories", "address" -> "addresses"."""
    if re.search(r"[^aeiou]y$", noun):
        return noun[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", noun):
        return noun + "es"
    return noun + "s"


def default_app_label(model: type) -> str:
    """The domain a mapping belongs to: the last part of its module (shop.models.social)."""
    return model.__module__.rsplit(".", 1)[-1]


def mapper_of(model: type) -> Mapper[Any]:
    """The SQLAlchemy mapper of `model`; anything unmapped is a configuration error."""
    mapper: Any = sa_inspect(model, raiseerr=False)
    if not isinstance(mapper, Mapper):
        raise ImproperlyConfigured(f"{model!r} is not a SQLAlchemy mapped class")
    return mapper
