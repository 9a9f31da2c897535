# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of pcsim/seed.py: the default seed file, and seeds that every part refuses."""

import pcsim
from simulator_client import assert_seed_rejected


def test_default_seed_file():
    seed = pcsim.load_seed()
    assert "fake" in seed["_comment"]
    assert seed == pcsim.load_seed(pcsim.DEFAULT_SEED_PATH)


def test_bad_partner_seed_is_rejected():
    assert_seed_rejected(lambda s: s["partner"].update(tenant_id="contoso"))
