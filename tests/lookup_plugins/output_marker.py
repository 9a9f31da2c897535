# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Marks a point of a test playbook's output on stderr as well as on stdout."""

DOCUMENTATION = r'''
name: output_marker
short_description: Returns its text and shows it as a warning, to mark a point of both output streams
description:
  - For the test playbooks of partnercenter.devices only. A task such as M(ansible.builtin.debug) shows the text on
    stdout; this lookup also shows it as a warning, on stderr, where ansible-core writes the warnings of the tasks
    that follow. A test that runs several cases in one playbook cuts both streams at the markers to give each case
    its own part.
options:
  _terms:
    description: The text of the marker.
    required: true
requirements:
  - enabled with ANSIBLE_LOOKUP_PLUGINS (tests/harness.py LOOKUP_DIR)
'''

from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

display = Display()


class LookupModule(LookupBase):
    """Shows each term as a warning and returns it."""

    def run(self, terms, variables=None, **kwargs):
        for term in terms:
            display.warning(str(term))
        return [str(term) for term in terms]
