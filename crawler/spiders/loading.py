"""Custom spiders: the class a ``kind: custom`` source names in ``spider``.

``spider`` is either ``package.module:ClassName`` (or ``package.module.ClassName``)
or the name of an entry point in the ``repwatch.spiders`` group, so a separately
installed package can register its spiders::

    [project.entry-points."repwatch.spiders"]
    statuspage = "acme_spiders.statuspage:StatusPageSpider"
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from crawler.exceptions import SpiderLoadError
from crawler.spiders.base import SourceSpider

ENTRY_POINT_GROUP = "repwatch.spiders"


def load_spider(reference: str) -> type[SourceSpider]:
    """The SourceSpider subclass `reference` names; SpiderLoadError saying why not."""
    target = _resolve(reference.strip())
    if not (isinstance(target, type) and issubclass(target, SourceSpider)):
        raise SpiderLoadError(f"{reference!r} is not a subclass of crawler.spiders.SourceSpider")
    return target


def _resolve(reference: str) -> object:
    if ":" in reference:
        module, _, name = reference.partition(":")
    elif "." in reference:
        module, _, name = reference.rpartition(".")
    else:
        return _entry_point(reference)
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise SpiderLoadError(f"cannot load spider {reference!r}: {exc}") from exc


def _entry_point(name: str) -> object:
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        raise SpiderLoadError(f"no spider named {name!r} in the {ENTRY_POINT_GROUP!r} entry points")
    try:
        return next(iter(found)).load()
    except (ImportError, AttributeError) as exc:
        raise SpiderLoadError(f"cannot load spider entry point {name!r}: {exc}") from exc
