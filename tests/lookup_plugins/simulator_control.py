# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resets the Partner Center simulator and injects faults from a test playbook, on the controller."""

DOCUMENTATION = r'''
name: simulator_control
short_description: Resets the test simulator and injects faults into it, from the controller
description:
  - For the test playbooks of partnercenter.devices only. POSTs to the simulator's control endpoints
    (C(/_simulator/reset), then C(/_simulator/faults) once per fault) at the URL given as the term, and
    returns the faults as the simulator stored them.
  - The same requests through M(ansible.builtin.uri) cost a module run each (about half a second of CPU);
    a lookup runs in the controller's process.
options:
  _terms:
    description: The simulator's base URL.
    required: true
  faults:
    description: The faults to inject after the reset, each as C(POST /_simulator/faults) takes it.
    type: list
    elements: dict
    default: []
requirements:
  - enabled with ANSIBLE_LOOKUP_PLUGINS (tests/hostile/suite.py sets it)
'''

import json
import urllib.request

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase


def _post(url, body=None):
    data = b'' if body is None else json.dumps(body).encode('utf-8')
    request = urllib.request.Request(url, data=data, method='POST', headers={'Content-Type': 'application/json'})
    # The simulator is on loopback: no proxy from the environment may capture it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return json.loads(response.read().decode('utf-8'))
    except (OSError, ValueError) as exc:
        raise AnsibleError('simulator_control: POST %s failed: %s' % (url, exc)) from exc


class LookupModule(LookupBase):
    """Reset, then inject each fault; returns the stored faults."""

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if len(terms) != 1:
            raise AnsibleError('simulator_control takes one term, the simulator URL')
        base = str(terms[0]).rstrip('/')
        _post(base + '/_simulator/reset')
        return [_post(base + '/_simulator/faults', dict(fault)) for fault in self.get_option('faults')]
