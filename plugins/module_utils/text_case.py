# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Spellings of names and enum values: Partner Center's camelCase keys in snake_case, an enum value in any spelling."""

import re

from ansible_collections.partnercenter.devices.plugins.module_utils.errors import ResponseError

# How deep a body may nest: far beyond any Partner Center resource (about 4 levels), far below
# Python's recursion limit, so a hostile answer gets a clear error, not a RecursionError.
MAX_BODY_DEPTH = 64

_CAMEL_BOUNDARY = re.compile(r'(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])')
_ENUM_SEPARATORS = re.compile(r'[\s_-]+')


# A batch repeats the same few keys for each of its devices: each is converted once per run.
_SNAKE_CASE_NAMES = {}


def match_key(value):
    """An identifier as compared (serial number, maker, id): trimmed, lower case; None when it is not text or blank."""
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def first_of_each_id(items, id_of):
    """``items`` in order, with the first of those whose ``id_of(item)`` is the same id, compared without regard to
    case; an item whose id is not text is always kept (the id checks name it)."""
    seen, unique = set(), []
    for item in items:
        key = id_of(item)
        key = key.lower() if isinstance(key, str) else None
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        unique.append(item)
    return unique


def snake_case(name):
    """``batchTrackingId`` -> ``batch_tracking_id``; names already in snake_case are unchanged."""
    converted = _SNAKE_CASE_NAMES.get(name)
    if converted is None:
        converted = _CAMEL_BOUNDARY.sub('_', name).lower()
        if len(_SNAKE_CASE_NAMES) < 4096:  # bounded: keys come from the server
            _SNAKE_CASE_NAMES[name] = converted
    return converted


def snake_case_keys(value, max_depth=MAX_BODY_DEPTH, _depth=0):
    """A copy of ``value`` with every dict key, at any depth, in snake_case.

    ResponseError when ``value`` nests deeper than ``max_depth`` levels.
    """
    if not isinstance(value, (dict, list)):
        return value
    if _depth >= max_depth:
        raise ResponseError('Partner Center answered 200 but the body nests more than %d levels deep, '
                            'which no Partner Center resource does' % max_depth)
    # A batch holds about ten values per device: leaves are copied here, without a call each.
    depth = _depth + 1
    if isinstance(value, dict):
        names = _SNAKE_CASE_NAMES
        return {(names.get(key) or snake_case(str(key))):
                (snake_case_keys(item, max_depth, depth) if isinstance(item, (dict, list)) else item)
                for key, item in value.items()}
    return [snake_case_keys(item, max_depth, depth) if isinstance(item, (dict, list)) else item for item in value]


def enum_letters(value):
    """The letters of an enum value, lower case, without separators: what every spelling of it shares."""
    return _ENUM_SEPARATORS.sub('', value).lower()


def normalize_enum(value, by_letters):
    """``value`` in its documented spelling from ``by_letters`` (enum_letters -> spelling); an unknown string as sent."""
    if not isinstance(value, str):
        return value
    return by_letters.get(enum_letters(value), value)
