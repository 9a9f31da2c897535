# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest set-up for every test: the collection importable as ansible_collections.partnercenter.devices."""

import copy
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402  pylint: disable=wrong-import-position
# The in-process module fixtures (run_module, sim_args, api_requests), for every test.
from in_process import api_requests, run_module, sim_args_fixture  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import

COLLECTIONS_PATH = harness.make_collections_path()
sys.path.insert(0, COLLECTIONS_PATH)


@pytest.fixture(scope='session')
def collections_path():
    """The collections path that holds this checkout as partnercenter.devices."""
    return COLLECTIONS_PATH


@pytest.fixture
def simulator(make_simulator):
    """A fresh Partner Center simulator with the default seed, on a free loopback port."""
    return make_simulator()


@pytest.fixture
def make_simulator():
    """Start as many simulators as a test needs, each from the default seed as ``change(seed)`` leaves it (when given):
    ``make_simulator()``, ``make_simulator(change)``. All stop after the test."""
    from partner_center_simulator import PartnerCenterSimulator, load_seed  # pylint: disable=import-outside-toplevel

    started = []

    def make(change=None):
        seed = load_seed(harness.DEFAULT_SEED)
        if change is not None:
            seed = copy.deepcopy(seed)
            change(seed)
        sim = PartnerCenterSimulator(seed)
        sim.start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


@pytest.fixture
def playbook(collections_path, tmp_path):
    """Run a playbook from tests/integration/playbooks by name: ``playbook('status.yml', extra_vars=..., env=...)``."""

    def run(name, extra_vars=None, env=None, verbosity=0, check=False):
        path = os.path.join(harness.TESTS_DIR, 'integration', 'playbooks', name)
        return harness.run_playbook(path, collections_path, str(tmp_path), extra_vars=extra_vars, env=env,
                                    verbosity=verbosity, check=check)

    return run
