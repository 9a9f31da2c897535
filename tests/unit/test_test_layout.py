# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The test tree itself: pytest imports test files by their base name (no packages), so each name is used once."""

import collections
import os

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_no_two_test_files_share_a_base_name():
    places = collections.defaultdict(list)
    for directory, unused, files in os.walk(TESTS_DIR):
        if 'output' in directory.split(os.sep):
            continue
        for name in files:
            if name.startswith('test_') and name.endswith('.py'):
                places[name].append(os.path.relpath(os.path.join(directory, name), TESTS_DIR))
    assert not dict((name, paths) for name, paths in places.items() if len(paths) > 1)
