"""The plugin manager and the one typed function per hook that core calls.

Each application object builds its own manager (there is no module-level manager): specs
added, built-in plugins registered, entry points of the group ``s2c_core`` loaded unless the
caller opts out, then ``check_pending()`` so a misspelt hook fails at startup.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import entry_points
from typing import Any

import pluggy

from s2c_core import hookspecs
from s2c_core._markers import PROJECT
from s2c_core.clock import Clock
from s2c_core.errors import BackendError, BackendNotFoundError, PluginError, S2CError
from s2c_core.events import DomainEvent
from s2c_core.ports import DocumentRenderer, Notifier, StatementParser, Storage

__all__ = [
    "credit_decision",
    "direct_debit_writer",
    "document_renderers",
    "event_subscriptions",
    "make_plugin_manager",
    "notifiers",
    "on_event",
    "open_storage",
    "statement_parsers",
]

log = logging.getLogger(__name__)


def make_plugin_manager(
    *, plugins: Iterable[object] = (), load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A new plugin manager with the specs, the built-in plugins, entry points and *plugins*.

    Args:
        plugins: Extra plugin objects or modules to register (registered last, so called first).
        load_entry_points: Load plugins installed under the entry-point group ``s2c_core``.
    """
    from s2c_core._builtin import BUILTIN_PLUGINS

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name, plugin in BUILTIN_PLUGINS:
        pm.register(plugin, name=name)
    if load_entry_points:
        for entry_point in entry_points(group=PROJECT):
            if pm.get_plugin(entry_point.name) is not None or pm.is_blocked(entry_point.name):
                continue
            try:
                plugin = entry_point.load()
            except Exception as exc:
                raise PluginError(
                    f"installed s2c_core plugin {entry_point.name!r} ({entry_point.value}) "
                    f"failed to load: {exc}",
                    plugin=entry_point.name,
                ) from exc
            pm.register(plugin, name=entry_point.name)
    for plugin in plugins:
        pm.register(plugin)
    pm.check_pending()
    return pm


def _call(pm: pluggy.PluginManager, hook: str, **kwargs: Any) -> Any:
    try:
        return getattr(pm.hook, hook)(**kwargs)
    except S2CError:
        raise
    except Exception as exc:
        raise BackendError(f"plugin hook {hook} failed: {exc}") from exc


def _flatten(results: Iterable[Sequence[Any] | None]) -> list[Any]:
    return [item for result in results if result for item in result]


def open_storage(pm: pluggy.PluginManager, url: str, clock: Clock) -> Storage:
    """Ask the plugins to open *url*; ``BackendNotFoundError`` lists the installed schemes."""
    storage = _call(pm, "s2c_open_storage", url=url, clock=clock)
    if storage is None:
        schemes = tuple(sorted(set(_flatten(_call(pm, "s2c_storage_schemes")))))
        raise BackendNotFoundError(
            f"no installed storage backend handles {url!r}",
            url=url,
            installed=tuple(f"{s}://" for s in schemes),
        )
    if not isinstance(storage, Storage):
        raise BackendError(f"{type(storage).__name__} does not implement Storage")
    return storage


def document_renderers(pm: pluggy.PluginManager) -> dict[str, DocumentRenderer]:
    """Installed document renderers by name (the first registered for a name wins)."""
    found: dict[str, DocumentRenderer] = {}
    for renderer in _flatten(_call(pm, "s2c_document_renderers")):
        if not isinstance(renderer, DocumentRenderer):
            raise BackendError(f"{type(renderer).__name__} does not implement DocumentRenderer")
        found.setdefault(renderer.name, renderer)
    return found


def statement_parsers(pm: pluggy.PluginManager) -> list[StatementParser]:
    """Installed bank statement parsers, most recently registered plugin first."""
    parsers = _flatten(_call(pm, "s2c_statement_parsers"))
    for parser in parsers:
        if not isinstance(parser, StatementParser):
            raise BackendError(f"{type(parser).__name__} does not implement StatementParser")
    return parsers


def direct_debit_writer(pm: pluggy.PluginManager) -> Any:
    """The installed pain.008 writer; ``BackendNotFoundError`` when none is installed."""
    writer = _call(pm, "s2c_direct_debit_writer")
    if writer is None or not callable(getattr(writer, "write", None)):
        raise BackendNotFoundError(
            "no installed plugin writes SEPA direct-debit files", url="pain.008"
        )
    return writer


def notifiers(pm: pluggy.PluginManager) -> dict[str, Notifier]:
    """Installed notifiers by channel (plugins registered later take precedence)."""
    by_channel: dict[str, Notifier] = {}
    for notifier in _flatten(_call(pm, "s2c_notifiers")):
        if not isinstance(notifier, Notifier):
            raise BackendError(f"{type(notifier).__name__} does not implement Notifier")
        for channel in notifier.channels:
            by_channel.setdefault(channel, notifier)
    return by_channel


def event_subscriptions(pm: pluggy.PluginManager) -> frozenset[str]:
    """Event names some plugin wants delivered (``"*"`` = all)."""
    return frozenset(str(name) for name in _flatten(_call(pm, "s2c_event_subscriptions")))


def on_event(pm: pluggy.PluginManager, event: DomainEvent) -> None:
    """Deliver a committed event to the subscribed plugins; raises ``BackendError`` on failure."""
    _call(pm, "s2c_on_event", event=event)


def decides_credit(pm: pluggy.PluginManager) -> bool:
    """True when an installed plugin implements ``s2c_credit_decision``.

    The context a plugin decides on (the customer and policy as documents) is only built when
    one is there to read it.
    """
    return bool(pm.hook.s2c_credit_decision.get_hookimpls())


def credit_decision(
    pm: pluggy.PluginManager, context: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """A plugin's credit verdict, or None to use the built-in rules."""
    verdict = _call(pm, "s2c_credit_decision", context=context)
    if verdict is None:
        return None
    if not isinstance(verdict, Mapping) or "outcome" not in verdict:
        raise BackendError("s2c_credit_decision must return a mapping with an 'outcome'")
    return verdict
