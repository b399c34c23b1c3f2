"""Config validation helpers: errors name the key and list the valid choices."""
import inspect
import math
import numbers
from typing import Any, Iterable, Mapping, Sequence


class ConfigError(ValueError):
    """Raised when a config is built with an unknown key or a bad value."""


def check_choice(key: str, value: Any, choices: Iterable, owner: str = '') -> Any:
    choices = list(choices)
    if value not in choices:
        where = f'{owner}: ' if owner else ''
        raise ConfigError(f'{where}unknown {key}={value!r}; valid choices are {choices}')
    return value


def check_range(key: str, value, low=None, high=None, owner: str = '',
                low_inclusive=True, high_inclusive=True):
    """``value`` as given, if it is a finite number inside the bounds (``None``:
    unbounded); otherwise a :class:`ConfigError` naming ``key`` and ``value``."""
    where = f'{owner}: ' if owner else ''
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f'{where}{key}={value!r} must be a number') from None
    if not math.isfinite(v):
        raise ConfigError(f'{where}{key}={value!r} must be a finite number')
    ok = True
    if low is not None:
        ok &= v >= low if low_inclusive else v > low
    if high is not None:
        ok &= v <= high if high_inclusive else v < high
    if not ok:
        lo = '' if low is None else ('[' if low_inclusive else '(') + f'{low}'
        hi = '' if high is None else f'{high}' + (']' if high_inclusive else ')')
        raise ConfigError(f'{where}{key}={value!r} is out of range {lo or "(-inf"}, {hi or "inf)"}')
    return value


def check_int(key: str, value, low=None, owner: str = '') -> int:
    """``value`` as an int, if it is an integer (not a bool) ``>= low``;
    otherwise a :class:`ConfigError` naming ``key`` and ``value``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        where = f'{owner}: ' if owner else ''
        raise ConfigError(f'{where}{key}={value!r} must be an int')
    check_range(key, value, low=low, owner=owner)
    return int(value)


def as_tuple(value) -> tuple:
    """A sequence option (list, tuple, range) as a tuple, any other value as a
    1-tuple (so that the option's own check names a bad scalar instead of
    failing to iterate it)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return tuple(value)
    return (value, )


def init_arg_names(cls) -> list:
    """Keyword names accepted by ``cls.__init__``, following ``**kwargs`` that an
    ``__init__`` forwards to its base classes."""
    names = []
    for klass in cls.__mro__:
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        sig = inspect.signature(init)
        has_var_kw = False
        for p in list(sig.parameters.values())[1:]:
            if p.kind is p.VAR_KEYWORD:
                has_var_kw = True
            elif p.kind is not p.VAR_POSITIONAL and p.name not in names:
                names.append(p.name)
        if not has_var_kw:
            break
    return names


def check_kwargs(cls, kwargs: Mapping) -> None:
    """Raise :class:`ConfigError` naming every unknown key of ``kwargs``."""
    valid = init_arg_names(cls)
    unknown = [k for k in kwargs if k not in valid]
    if unknown:
        raise ConfigError(
            f'{cls.__name__}: unknown config key(s) {unknown}; valid keys are {sorted(valid)}')


class StrictKwargs:
    """Mixin: building the class with a misspelled keyword raises a clear
    :class:`ConfigError` instead of Python's bare ``TypeError``."""

    def __new__(cls, *args, **kwargs):
        check_kwargs(cls, kwargs)
        return super().__new__(cls)
