# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection is GPL-3.0-or-later throughout: each file of code it ships says so, and LICENSE is the GPLv3 text.

galaxy.yml's ``license`` is checked in test_collection_metadata (test_license_file_is_the_gpl_v3_galaxy_yml_names).
The modules and module_utils are left to ansible-test sanity; this covers the rest of what the tarball holds.
"""

import glob
import hashlib
import os

import pytest
import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# How a file says GPL-3.0-or-later: Ansible's usual header line, or the SPDX identifier.
LICENCE_LINES = ('# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)',
                 '# SPDX-License-Identifier: GPL-3.0-or-later')
# The header is one of the file's first lines (after a shebang, a coding line and the copyright line).
HEADER_LINES = 10
# sha256 of https://www.gnu.org/licenses/gpl-3.0.txt, the text as the FSF publishes it (Debian's
# /usr/share/common-licenses/GPL-3 is the same file).
GPL_3_TEXT_SHA256 = '3972dc9744f6499f0f9b2dbf76696f2ae7ad8af9b23dde66d6af86c9dfb36986'


def shipped_code():
    """The Python files of the collection outside plugins/modules and plugins/module_utils, relative to its root."""
    paths = glob.glob(os.path.join(COLLECTION_ROOT, 'plugins', '*', '*.py'))
    paths += glob.glob(os.path.join(COLLECTION_ROOT, 'extensions', '**', '*.py'), recursive=True)
    relative = (os.path.relpath(path, COLLECTION_ROOT) for path in paths)
    return sorted(path for path in relative if path.split(os.sep)[1] not in ('modules', 'module_utils')
                  and os.path.basename(path) != '__init__.py')


def role_metas():
    return sorted(os.path.relpath(path, COLLECTION_ROOT)
                  for path in glob.glob(os.path.join(COLLECTION_ROOT, 'roles', '*', 'meta', 'main.yml')))


def test_the_scan_finds_each_kind_of_file():
    found = shipped_code()
    for expected in ('plugins/action/', 'plugins/doc_fragments/', 'plugins/inventory/', 'plugins/plugin_utils/',
                     'extensions/eda/plugins/event_source/'):
        assert any(path.startswith(expected) for path in found), expected
    assert role_metas()


@pytest.mark.parametrize('path', shipped_code())
def test_code_says_gpl_3_or_later(path):
    with open(os.path.join(COLLECTION_ROOT, path), encoding='utf-8') as handle:
        header = [line.rstrip('\n') for line in handle.readlines()[:HEADER_LINES]]
    assert any(line in LICENCE_LINES for line in header), (
        '%s does not say GPL-3.0-or-later in its first %d lines (%s)' % (path, HEADER_LINES, ' or '.join(LICENCE_LINES)))


@pytest.mark.parametrize('path', role_metas())
def test_role_meta_says_gpl_3_or_later(path):
    with open(os.path.join(COLLECTION_ROOT, path), encoding='utf-8') as handle:
        licence = yaml.safe_load(handle)['galaxy_info']['license']
    assert licence in ('GPL-3.0-or-later', ['GPL-3.0-or-later']), '%s: license %r' % (path, licence)


def test_licence_file_is_the_gpl_3_text_unchanged():
    with open(os.path.join(COLLECTION_ROOT, 'LICENSE'), 'rb') as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == GPL_3_TEXT_SHA256
