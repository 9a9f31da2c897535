# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fact partnercenter_batch_upload_details: the batch_upload_details of the result, set once.

ansible-core handles a fact at a cost that grows with its size (the module's JSON, the worker's
decoding, its copies of facts), so a 10,000-device batch sent as a fact and again as a result key
costs about twice what it needs to. When the action plugin runs the module and sees it finish (every
run but an async one), it tells the module through FACT_BY_ACTION_ENV to leave the fact out, and sets
the fact itself from batch_upload_details: the very same object, which came from the module once.
Without that variable (async runs) the module sets the fact, as the result's keys are the same
either way.
"""

import os

BATCH_FACT = 'partnercenter_batch_upload_details'
FACT_BY_ACTION_ENV = 'PARTNER_CENTER_FACT_BY_ACTION'


def module_sets_fact():
    """True unless the action plugin said it sets the fact itself (module side)."""
    return os.environ.get(FACT_BY_ACTION_ENV) != '1'


def with_batch_fact(result):
    """``result`` with the fact set to its batch_upload_details, when it has any; returns ``result``."""
    details = result.get('batch_upload_details')
    if isinstance(details, dict):
        facts = dict(result.get('ansible_facts') or {})
        facts[BATCH_FACT] = details
        result['ansible_facts'] = facts
    return result
