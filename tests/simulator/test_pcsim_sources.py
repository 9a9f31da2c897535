# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every route of the simulator names its Microsoft source in pcsim/SOURCES.md.

Each route of the route table (``PartnerCenterSimulator.routes``) has a heading ``### `METHOD /path` `` in
SOURCES.md, the path written from the route's pattern (``{name}`` for each named group), followed by a
``**Sources:**`` line; and every such heading names a route that exists."""

import os
import re

import pytest

import pcsim

SOURCES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pcsim", "SOURCES.md")
HEADING = re.compile(r"^### `([A-Z]+ /[^`]*)`[ \t]*$", re.MULTILINE)
NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")
REGEX_SYNTAX = set("^$()[]?*+\\|")


def route_label(route):
    """``METHOD /path`` of a route, its pattern read as a path: ``^/v1/customers/(?P<customer_id>[^/]+)/policies/?$``
    is ``/v1/customers/{customer_id}/policies``."""
    path = NAMED_GROUP.sub(lambda match: "{%s}" % match.group(1), route.regex.pattern)
    path = path[1:] if path.startswith("^") else path
    for ending in ("/?$", "$"):
        if path.endswith(ending):
            path = path[:-len(ending)]
            break
    left = sorted(REGEX_SYNTAX.intersection(path))
    assert not left, ("route %s %s cannot be written as a path (%s left): give SOURCES.md's headings and this test's "
                      "route_label() a form for it" % (route.method, route.regex.pattern, " ".join(left)))
    return "%s %s" % (route.method, path)


def route_labels():
    simulator = pcsim.PartnerCenterSimulator()  # not started: the route table is built by the constructor
    return [route_label(route) for route in simulator.routes]


def sections():
    """{``METHOD /path``: the text under that heading, up to the next heading}."""
    with open(SOURCES, encoding="utf-8") as handle:
        text = handle.read()
    found = {}
    matches = list(HEADING.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = text[match.end():end]
        next_section = re.search(r"^#{1,3} ", body, re.MULTILINE)
        found[match.group(1)] = body[:next_section.start()] if next_section else body
    return found


@pytest.mark.parametrize("label", route_labels())
def test_every_route_names_its_source(label):
    section = sections().get(label)
    assert section is not None, "pcsim/SOURCES.md has no heading ### `%s`: name the Microsoft source of this route there" % label
    sources = re.search(r"^- \*\*Sources:\*\*\s*(\S.*)$", section, re.MULTILINE)
    assert sources is not None, "pcsim/SOURCES.md: ### `%s` has no '- **Sources:** ...' line" % label


def test_every_heading_names_a_route():
    stale = sorted(set(sections()) - set(route_labels()))
    assert not stale, "pcsim/SOURCES.md has headings for routes the simulator does not serve: %s" % ", ".join(stale)
