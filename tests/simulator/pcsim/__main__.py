# -*- coding: utf-8 -*-
# Copyright: contributors to the partnercenter.devices collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m pcsim`` (from tests/simulator): the same command line as partner_center_simulator.py."""

import sys

from .cli import main

sys.exit(main())
