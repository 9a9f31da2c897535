# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of how module.py masks a result: ansible-core's masking, walked only where a secret can be.

The decision (``needs_masking``), its equivalence with ansible-core's ``remove_values``, and the exit paths of
PartnerCenterModule, whose output must be exactly what AnsibleModule's own exit would print.
"""

import contextlib
import copy
import datetime
import enum
import json
from unittest import mock

import pytest
from hypothesis import given, settings, strategies as st

from ansible.module_utils import basic
from ansible.module_utils.common.parameters import remove_values

from ansible_collections.partnercenter.devices.plugins.module_utils import module as module_utils
from ansible_collections.partnercenter.devices.plugins.module_utils.module import needs_masking, remove_values_where_needed

SECRET = 'csecret-VALUE-1234'
BASE = dict(base_url='http://127.0.0.1:9', authority_url='http://127.0.0.1:9', client_secret=SECRET,
            client_id='cid', tenant_id='contoso.onmicrosoft.com')


def devices(count, description=None):
    """A shaped batch of ``count`` devices; the last one's error description is ``description``."""
    listed = [dict(device_id='d%d' % index, serial_number='SN%06d' % index, status='finished', error_code=None,
                   error_description=None, remediation=None, attributes={'object_type': 'DeviceUploadDetails'})
              for index in range(count)]
    if description is not None:
        listed[-1].update(status='finished_with_errors', error_description=description)
    return dict(batch_tracking_id='b', status='finished', devices_status=listed)


# -- the decision ----------------------------------------------------------------------------------


def test_a_value_holding_a_secret_needs_masking():
    assert needs_masking(devices(50, 'rejected: %s echoed' % SECRET), {SECRET})
    assert needs_masking('x%sy' % SECRET, {SECRET})


def test_a_value_without_any_secret_is_skipped():
    assert not needs_masking(devices(50, 'rejected: device unknown'), {SECRET, 'another-secret-99'})
    assert not needs_masking({'count': 3, 'ratio': 0.5, 'ok': True, 'none': None, 'list': []}, {SECRET})
    assert not needs_masking(devices(5), set())


@pytest.mark.parametrize('secret', ['quote"back\\slash', 'line\nbreak\ttab', 'ctl\x01\x1f', 'sécret-ü-€', 'emoji-\U0001F511',
                                    'slash/and<html>&', 'lone-\udc80-surrogate'])
def test_secrets_that_json_escapes_are_found_in_their_escaped_form(secret):
    assert needs_masking(devices(3, 'echo %s echo' % secret), {secret})
    assert needs_masking({'nested': [[{'deep': secret}]]}, {secret})
    assert not needs_masking(devices(3, 'no echo'), {secret})


def test_a_secret_only_in_a_key_is_taken_as_present():
    # remove_values never masks keys; taking it as present only costs the walk.
    assert needs_masking({SECRET: 'value'}, {SECRET})


def test_a_secret_inside_a_number_needs_masking():
    # remove_values masks a number whose str() holds a no_log value; JSON writes numbers as str() does.
    assert needs_masking({'count': 12345}, {'234'})
    assert needs_masking([1.25], {'1.2'})
    assert remove_values({'count': 12345}, {'234'}) == {'count': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}


@pytest.mark.parametrize('no_log_value', ['True', 'rue', 'Fals', 'None', 'on'])
def test_a_secret_inside_true_false_or_none_takes_the_normal_path(no_log_value):
    # ansible-core up to 2.18 looks for it in str(True), which JSON writes as true.
    assert needs_masking({'complete': True, 'x': None}, {no_log_value})
    assert needs_masking({'text': 'nothing here'}, {no_log_value})


@pytest.mark.parametrize('value', [
    float('nan'), [float('inf')], {'x': -float('inf')},
    ('tuple',), {'set'}, b'bytes', datetime.date(2025, 1, 1), {'when': datetime.datetime(2025, 1, 1)},
    type('TaggedText', (str,), {})('text'), {'x': enum.IntEnum('Code', 'A B').A}, type('Mapping', (dict,), {})(a=1),
    object(),
], ids=['nan', 'inf', 'minus-inf', 'tuple', 'set', 'bytes', 'date', 'datetime', 'str-subclass', 'int-enum', 'dict-subclass',
        'object'])
def test_values_json_or_str_would_write_otherwise_take_the_normal_path(value):
    assert needs_masking(value, {SECRET})


def test_odd_no_log_values_take_the_normal_path():
    assert needs_masking('text', {b'bytes-secret'})
    assert needs_masking('text', {12345})
    assert needs_masking('text', {''})


def test_a_cycle_takes_the_normal_path():
    cycle = {'a': []}
    cycle['a'].append(cycle)
    assert needs_masking(cycle, {SECRET})


# -- the same result as remove_values ---------------------------------------------------------------

ALPHABET = 'abTrueFalsNon1.2 "\\\n\x00é'
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 6, 10 ** 6), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(ALPHABET, max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                       st.dictionaries(st.text(ALPHABET, max_size=5), inner, max_size=4)),
                      max_leaves=20)
no_log_sets = st.sets(st.text(ALPHABET, min_size=1, max_size=4), max_size=3)


def as_text(value):
    """The JSON ansible-core would print, to compare results (NaN included)."""
    return json.dumps(value, sort_keys=True)


@settings(max_examples=400, deadline=None)
@given(result=st.dictionaries(st.text(ALPHABET, max_size=6), values, max_size=5), no_log_values=no_log_sets)
def test_remove_values_where_needed_returns_what_remove_values_returns(result, no_log_values):
    assert as_text(remove_values_where_needed(result, no_log_values, remove_values)) == as_text(remove_values(result, no_log_values))


def test_only_the_values_that_need_it_are_walked():
    walked = []

    def recording(value, no_log_values):
        walked.append(value)
        return remove_values(value, no_log_values)

    batch = devices(1000)
    result = dict(changed=False, batch_upload_details=batch, ansible_facts=dict(fact=batch),
                  invocation=dict(module_args=dict(client_secret=SECRET)))
    masked = remove_values_where_needed(result, {SECRET}, recording)
    assert walked == [result['invocation']]
    assert masked['batch_upload_details'] is batch
    assert masked['invocation'] == dict(module_args=dict(client_secret='VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'))
    assert remove_values_where_needed('text %s' % SECRET, {SECRET}, recording) == 'text ********'


# -- the exit paths ---------------------------------------------------------------------------------


@contextlib.contextmanager
def module_args(args):
    """Expose ``args`` to AnsibleModule (patch_module_args where ansible-core has it, its _ANSIBLE_ARGS before)."""
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:
        with mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps(dict(ANSIBLE_MODULE_ARGS=args)).encode()):
            yield
        return
    with patch_module_args(args):
        yield


def exited(capsys, exit_method, **result):
    """What ``exit_method(**result)`` printed."""
    capsys.readouterr()
    with pytest.raises(SystemExit):
        exit_method(**copy.deepcopy(result))
    return capsys.readouterr().out


RESULTS = {
    'large-clean': dict(changed=False, batch_upload_details=devices(2000), ansible_facts=dict(fact=devices(2000))),
    'large-with-secret': dict(changed=False, batch_upload_details=devices(2000, 'echo %s' % SECRET),
                              ansible_facts=dict(fact=devices(2000, 'echo %s' % SECRET))),
    'secret-whole-value': dict(changed=False, token=SECRET, flag=True, nothing=None),
    'odd-values': dict(changed=False, ratio=float('nan'), when=datetime.date(2025, 1, 1), pair=('a', SECRET)),
}


@pytest.mark.parametrize('name', sorted(RESULTS))
@pytest.mark.parametrize('failing', [False, True], ids=['exit', 'fail'])
def test_the_module_prints_what_ansible_core_prints(capsys, name, failing):
    with module_args(dict(BASE)):
        module = module_utils.PartnerCenterModule()
        module.module.warn('a warning that quotes %s' % SECRET)
        result = dict(RESULTS[name], msg='done') if failing else RESULTS[name]
        expected = exited(capsys, module.module.fail_json if failing else module.module.exit_json, **result)
        printed = exited(capsys, module.fail_json if failing else module.exit_json, **result)
    assert printed == expected
    assert basic.remove_values is remove_values
    # (ansible-core 2.19 and later leave warnings unmasked, on either path.)
    assert SECRET not in json.dumps(dict((key, value) for key, value in json.loads(printed).items() if key != 'warnings'))


def test_a_large_clean_result_is_not_walked(capsys):
    walked = []

    def recording(value, no_log_values):
        walked.append(value)
        return remove_values(value, no_log_values)

    result = dict(RESULTS['large-clean'], note='echo %s' % SECRET)
    with module_args(dict(BASE)), mock.patch.object(basic, 'remove_values', recording):
        module = module_utils.PartnerCenterModule()
        printed = json.loads(exited(capsys, module.exit_json, **result))
        assert basic.remove_values is recording  # put back after the exit
    assert len(printed['batch_upload_details']['devices_status']) == 2000
    assert printed['note'] == 'echo ********'
    # Only small values were walked (the note, the invocation where ansible-core adds it): none of the devices.
    assert 'echo %s' % SECRET in walked
    assert all(len(json.dumps(value, default=str)) < 5000 for value in walked)


def test_every_supported_ansible_core_is_one_whose_masking_is_known():
    """A new ansible-core joins MASKING_SWAP_VERSIONS only once its basic.py is read and this suite passes on it."""
    assert module_utils.ANSIBLE_CORE_MINOR in module_utils.MASKING_SWAP_VERSIONS


def test_another_ansible_core_masks_the_whole_result_untouched(capsys, monkeypatch):
    walked = []

    def recording(value, no_log_values):
        walked.append(value)
        return remove_values(value, no_log_values)

    monkeypatch.setattr(module_utils, 'ANSIBLE_CORE_MINOR', '2.99')
    with module_args(dict(BASE)), mock.patch.object(basic, 'remove_values', recording):
        module = module_utils.PartnerCenterModule()
        printed = json.loads(exited(capsys, module.exit_json, **RESULTS['large-clean']))
    assert len(printed['batch_upload_details']['devices_status']) == 2000
    assert any(isinstance(value, dict) and 'batch_upload_details' in value for value in walked)
