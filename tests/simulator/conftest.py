# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the simulator's tests (test_pcsim_*.py): one simulator per test module with the default seed,
reset before every test, tokens for it, and ``make_sim`` for simulators with a seed of their own."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import pcsim  # noqa: E402  pylint: disable=wrong-import-position
from simulator_client import DEFAULT_SEED, get_token, user_form  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def sim():
    simulator = pcsim.PartnerCenterSimulator(DEFAULT_SEED)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def base(sim):
    return sim.url


@pytest.fixture(scope="module")
def app_token(base):
    return get_token(base)


@pytest.fixture(autouse=True)
def fresh_state(sim):
    sim.reset()


@pytest.fixture
def make_sim():
    started = []

    def factory(seed=None, **kwargs):
        simulator = pcsim.PartnerCenterSimulator(DEFAULT_SEED if seed is None else seed, **kwargs)
        simulator.start()
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()


@pytest.fixture(scope="module")
def user_token(base):
    return get_token(base, user_form())
