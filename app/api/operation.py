"""How an API view declares its place in the OpenAPI document.

A view carries `@operation(...)`: its summary, parameters, body and answers, with the
marshmallow schemas of schemas.py. The declaration stays on the view function, so the
document (openapi.py) reads it from the app's URL map and never imports the views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

ATTRIBUTE = "__openapi__"


@dataclass(frozen=True)
class Operation:
    """One view's part of the document."""

    summary: str
    tags: list[str]
    description: str
    responses: dict[int, type[Schema] | dict | None]
    query: type[Schema] | None = None
    headers: list[dict[str, Any]] = field(default_factory=list)
    body: type[Schema] | None = None
    multipart: type[Schema] | None = None
    auth: bool = False
    etag: bool = False
    produces: str = "application/json"
    media: dict[int, str] = field(default_factory=dict)  # status → media type, if not `produces`


def operation(
    *,
    summary: str,
    tags: list[str],
    description: str | None = None,
    query: type[Schema] | None = None,
    headers: list[dict[str, Any]] | None = None,
    body: type[Schema] | None = None,
    multipart: type[Schema] | None = None,
    responses: dict[int, type[Schema] | dict | None],
    auth: bool = False,
    etag: bool = False,
    produces: str = "application/json",
    media: dict[int, str] | None = None,
) -> Callable:
    """Declare a view's operation (its description defaults to the view's docstring)."""

    def decorate(view: Callable) -> Callable:
        declared = Operation(
            summary=summary,
            tags=tags,
            description=description or (view.__doc__ or "").strip(),
            responses=responses,
            query=query,
            headers=headers or [],
            body=body,
            multipart=multipart,
            auth=auth,
            etag=etag,
            produces=produces,
            media=media or {},
        )
        setattr(view, ATTRIBUTE, declared)
        return view

    return decorate


def declared(view: Callable) -> Operation | None:
    """The operation a view declared; None for a view that is not in the document."""
    return getattr(view, ATTRIBUTE, None)
