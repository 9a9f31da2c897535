# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""autopilot_profile(_info), device_profile, device and idempotent device_batch uploads, through real
ansible-playbook runs against the simulator: the first run changes, the second changes nothing and
sends no changing request, check mode sends none, diff mode shows the change.

The module checks are cases of shared runs (tests/shared_cases.py): each case has a simulator of its
own and app+user credentials in its task's environment, and each of its steps (create, then check
mode, then change, then again) runs in the next playbook run. What a diff shows is checked in the
result's diff and, where a line is the case's own, in the output. The guides' playbooks run whole.
"""

import base64

import harness
import shared_cases

CUSTOMER = harness.DEMO_CUSTOMER_ID
CHANGING = ('POST', 'PUT', 'PATCH', 'DELETE')
BATCH_1 = 'existing-batch-1'
BATCH_1_IDS = ['e4f6a8b0-3c5d-4e7f-9a1b-2c3d4e5f6a0%d' % n for n in (1, 2, 3)]
PASCAL_PROFILE_ID = '11111111-2222-4333-8444-555555555555'


def creds(simulator):
    return harness.simulator_credentials(simulator.url, 'app+user')


def changing_requests(simulator, since=0):
    return [(r['method'], r['path'].split('?')[0], r['status']) for r in simulator.stats['api_requests'][since:]
            if r['method'] in CHANGING]


def request_count(simulator):
    return len(simulator.stats['api_requests'])


def ok(run):
    assert run.results.get('outcome') == 'ok', run.results
    return run.results['result']


def step(simulator, tasks, check=False, **options):
    """A case of tasks/``tasks`` with app+user credentials for ``simulator`` in the task's environment."""
    return shared_cases.Case(dict(options, customer_id=options.get('customer_id', CUSTOMER)), environment=creds(simulator),
                             check_mode=check, tasks=tasks)


def profile(simulator, check=False, **options):
    """A case of tasks/autopilot_profile.yml: the Contoso kiosks profile, diff shown, as ``options`` change it."""
    options = dict(dict(name='Contoso kiosks', show_diff=True), **options)
    return step(simulator, 'autopilot_profile.yml', check, **options)


CASES = shared_cases.Table('autopilot_profile.yml')


def test_shared_cases(make_simulator, collections_path, tmp_path):
    CASES.check(make_simulator, collections_path, tmp_path)


# -- autopilot_profile ---------------------------------------------------------------------------------------

@CASES.case
def profile_created_once_then_unchanged_and_check_mode_sends_nothing(simulator):
    settings = ['skip_eula', 'oobe_user_not_local_admin']
    checked = ok((yield profile(simulator, check=True, settings=settings)))
    assert checked['changed'] is True and checked['action'] == 'created' and checked['profile_id'] is None
    assert changing_requests(simulator) == []

    first = ok((yield profile(simulator, settings=settings, description='Kiosks')))
    assert first['changed'] is True and first['action'] == 'created'
    assert first['profile']['policy_settings'] == ['oobe_user_not_local_admin', 'skip_eula']
    assert first['settings_added'] == ['oobe_user_not_local_admin', 'skip_eula']
    assert changing_requests(simulator) == [('POST', '/v1/customers/%s/policies' % CUSTOMER, 200)]
    assert first['diff']['before'] == {} and first['diff']['after']['name'] == 'Contoso kiosks'

    before = request_count(simulator)
    second = ok((yield profile(simulator, settings=list(reversed(settings)), description='Kiosks')))
    assert second['changed'] is False and second['action'] == 'none'
    assert second['profile_id'] == first['profile_id']
    assert changing_requests(simulator, before) == []


@CASES.case
def settings_are_replaced_exactly_and_diff_shows_it(simulator):
    created = ok((yield profile(simulator, settings=['remove_oem_preinstalls', 'skip_eula'])))
    before = request_count(simulator)
    checked_run = yield profile(simulator, check=True, settings=['skip_eula', 'skip_express_settings'])
    checked = ok(checked_run)
    assert checked['changed'] is True and changing_requests(simulator, before) == []
    assert 'remove_oem_preinstalls' in checked['diff']['before']['settings']
    assert checked['diff']['after']['settings'] == ['skip_express_settings', 'skip_eula']
    assert '+        "skip_express_settings"' in checked_run.output  # no other case adds this setting

    updated = ok((yield profile(simulator, settings=['skip_eula', 'skip_express_settings'])))
    assert updated['action'] == 'updated'
    assert (updated['settings_added'], updated['settings_removed']) == (['skip_express_settings'], ['remove_oem_preinstalls'])
    path = '/v1/customers/%s/policies/%s' % (CUSTOMER, created['profile_id'])
    assert changing_requests(simulator, before) == [('PUT', path, 200)]
    # What Partner Center holds now is exactly that list.
    info = ok((yield step(simulator, 'autopilot_profile_info.yml', profile_id=created['profile_id'])))
    assert info['profiles'][0]['policy_settings'] == ['skip_express_settings', 'skip_eula']

    cleared = ok((yield profile(simulator, settings=[])))
    assert cleared['settings_removed'] == ['skip_express_settings', 'skip_eula']
    assert cleared['profile']['policy_settings'] == []


@CASES.case
def profile_deleted_once(simulator):
    created = ok((yield profile(simulator, settings=['skip_eula'])))
    before = request_count(simulator)
    checked = ok((yield profile(simulator, check=True, state='absent')))
    assert checked['changed'] is True and changing_requests(simulator, before) == []
    deleted = ok((yield profile(simulator, state='absent')))
    assert deleted['action'] == 'deleted'
    assert changing_requests(simulator, before) == [
        ('DELETE', '/v1/customers/%s/policies/%s' % (CUSTOMER, created['profile_id']), 204)]
    again = ok((yield profile(simulator, state='absent')))
    assert again['changed'] is False
    assert len(changing_requests(simulator, before)) == 1


@CASES.case
def profile_info_lists_and_finds_by_name(simulator):
    for run in (yield [profile(simulator, settings=['skip_eula']), profile(simulator, name='Contoso pilot', settings=[])]):
        ok(run)
    listed, found = yield [step(simulator, 'autopilot_profile_info.yml'),
                           step(simulator, 'autopilot_profile_info.yml', name='CONTOSO KIOSKS')]
    names = sorted(p['name'] for p in ok(listed)['profiles'])
    assert 'Contoso kiosks' in names and 'Contoso pilot' in names
    found = ok(found)
    assert [p['name'] for p in found['profiles']] == ['Contoso kiosks']
    assert found['profiles'][0]['category'] == 'o_o_b_e'
    assert isinstance(found['profiles'][0]['devices_assigned'], int)


def pascal_case_policies(seed):
    """Policy enums in PascalCase and the count named devicesAssignedCount, as the .NET SDK writes them."""
    seed['customers'][CUSTOMER].update(policy_spelling='PascalCase', policy_device_count_key='devicesAssignedCount', policies=[
        {'id': PASCAL_PROFILE_ID, 'name': 'Contoso kiosks', 'category': 'o_o_b_e',
         'policySettings': ['skip_eula', 'remove_oem_preinstalls']}])


@CASES.case(seed_change=pascal_case_policies)
def pascal_case_settings_and_the_sdk_count_name_compare_as_documented(simulator):
    same = ok((yield profile(simulator, settings=['remove_oem_preinstalls', 'skip_eula'])))
    assert same['changed'] is False and same['profile_id'] == PASCAL_PROFILE_ID
    assert same['profile']['policy_settings'] == ['remove_oem_preinstalls', 'skip_eula']
    assert same['profile']['category'] == 'o_o_b_e' and same['profile']['devices_assigned'] == 0
    assert changing_requests(simulator) == []
    changed = ok((yield profile(simulator, settings=['skip_eula'])))
    assert changed['settings_removed'] == ['remove_oem_preinstalls'] and changed['profile']['policy_settings'] == ['skip_eula']
    assert [m for m, _p, _s in changing_requests(simulator)] == ['PUT']


@CASES.case
def bad_input_fails_before_any_request(simulator):
    cases = [
        ('autopilot_profile.yml', dict(customer_id='nope', name='x'), 'customer_id must be a GUID'),
        ('autopilot_profile.yml', dict(name=' x'), 'name must be a name without leading'),
        ('autopilot_profile.yml', dict(name='x', settings=['skip_eula', 'skip_eula']), 'more than once'),
        ('autopilot_profile.yml', dict(name='x', settings=['skip_everything']), 'skip_everything'),
        ('autopilot_profile_info.yml', dict(profile_id='x'), 'profile_id must be a GUID'),
        ('device_profile.yml', dict(batch_id='b'), 'one of the following is required'),
        ('device_profile.yml', dict(profile_name='p'), 'one of the following is required'),
        ('device_profile.yml', dict(profile_name='p', device_ids=['']), 'device_ids must hold names'),
        ('device.yml', dict(batch_id='b'), 'one of the following is required'),
        ('device.yml', dict(batch_id='b', device_ids=['d'], state='present'), 'value of state must be one of'),
    ]
    runs = yield [step(simulator, tasks, **options) for tasks, options, _message in cases]
    for (tasks, options, message), run in zip(cases, runs):
        assert run.results['outcome'] == 'failed', (tasks, options, run.results)
        assert message in run.results['result']['msg'], (tasks, options, message, run.results['result']['msg'])
    assert simulator.stats['api_requests'] == [] and simulator.stats['token_requests'] == []


# -- device_profile --------------------------------------------------------------------------------------------

@CASES.case
def assign_to_every_device_of_a_batch_and_wait_then_nothing_the_second_time(simulator):
    created = ok((yield profile(simulator, settings=['skip_eula'])))
    profile_id = created['profile_id']
    before = request_count(simulator)
    checked_run = yield step(simulator, 'device_profile.yml', check=True, profile_name='contoso kiosks', batch_id=BATCH_1,
                             show_diff=True)
    checked = ok(checked_run)
    assert checked['changed'] is True and checked['devices_count'] == 3
    assert changing_requests(simulator, before) == []
    assert '+            "profile_id": "%s"' % profile_id in checked_run.output  # the simulator made this id for this case

    assigned = ok((yield step(simulator, 'device_profile.yml', profile_id=profile_id, batch_id=BATCH_1, wait=True,
                              poll_interval=0.1)))
    assert assigned['changed'] is True and assigned['complete'] is True
    assert sorted(d['id'] for d in assigned['devices']) == BATCH_1_IDS
    assert assigned['batch_upload_details']['status'] == 'finished'
    assert assigned['devices_with_errors'] == []
    assert changing_requests(simulator, before) == [('PATCH', '/v1/customers/%s/DevicePolicyUpdates' % CUSTOMER, 202)]
    assert assigned['device_pairing'] in ('identifiers', 'position', 'identifiers_and_position')

    listed, info = yield [step(simulator, 'device_batch_info.yml', batch_id=BATCH_1),
                          step(simulator, 'autopilot_profile_info.yml', profile_id=profile_id)]
    for device in ok(listed)['devices']:
        # Listed by the profile's id or by its name (the simulator serves both, as Partner Center may).
        assert [p['value'] for p in device['policies'] if p['key'] == 'o_o_b_e'][0] in (profile_id, 'Contoso kiosks')
    assert ok(info)['profiles'][0]['devices_assigned'] == 3

    before = request_count(simulator)
    again = ok((yield step(simulator, 'device_profile.yml', profile_id=profile_id, batch_id=BATCH_1, wait=True)))
    assert again['changed'] is False and again['devices_already_assigned'] == 3 and again['devices'] == []
    assert changing_requests(simulator, before) == []


@CASES.case
def assign_across_pages_by_serial_number_and_fail_clearly_on_unknown_devices(simulator):
    profile_id = ok((yield profile(simulator, settings=[])))['profile_id']
    serials = ['EB2-000001', 'EB2-000150', 'EB2-000250']  # pages 1, 2 and 3 of existing-batch-2
    assigned = ok((yield step(simulator, 'device_profile.yml', profile_id=profile_id, serial_numbers=serials,
                              batch_id='existing-batch-2')))
    assert sorted(d['serial_number'] for d in assigned['devices']) == serials and assigned['pages'] == 3
    before = request_count(simulator)
    missing = yield step(simulator, 'device_profile.yml', profile_id=profile_id, serial_numbers=['EB2-000001', 'NO-SUCH-DEVICE'])
    assert missing.results['outcome'] == 'failed'
    assert 'serial number NO-SUCH-DEVICE: no such device' in missing.results['result']['msg']
    assert changing_requests(simulator, before) == []


# -- device (state: absent) -------------------------------------------------------------------------------------

@CASES.case
def removing_a_device_twice(simulator):
    options = dict(batch_id=BATCH_1, serial_numbers=['EB1-0002'], show_diff=True)
    checked_run = yield step(simulator, 'device.yml', check=True, **options)
    checked = ok(checked_run)
    assert checked['changed'] is True and [d['id'] for d in checked['removed']] == [BATCH_1_IDS[1]]
    assert changing_requests(simulator) == []
    assert '-            "serial_number": "EB1-0002"' in checked_run.output  # no other case removes a device

    removed = ok((yield step(simulator, 'device.yml', **options)))
    assert removed['changed'] is True and [d['serial_number'] for d in removed['removed']] == ['EB1-0002']
    assert changing_requests(simulator) == [
        ('DELETE', '/v1/customers/%s/deviceBatches/%s/devices/%s' % (CUSTOMER, BATCH_1, BATCH_1_IDS[1]), 204)]

    before = request_count(simulator)
    again = ok((yield step(simulator, 'device.yml', **options)))
    assert again['changed'] is False and again['removed'] == [] and again['already_absent'] == ['EB1-0002']
    assert changing_requests(simulator, before) == []
    listed = ok((yield step(simulator, 'device_batch_info.yml', batch_id=BATCH_1)))
    assert sorted(d['serial_number'] for d in listed['devices']) == ['EB1-0001', 'EB1-0003']


# -- device_batch uploads only missing devices ------------------------------------------------------------------

def _hash(seed):
    return base64.b64encode(('lifecycle-%s-' % seed).encode().ljust(64, b'#')).decode()


@CASES.case
def device_batch_uploads_only_the_missing_devices(simulator):
    new = [{'hardware_hash': _hash(1), 'serial_number': 'LC-0001'}]
    # Two devices the batch holds and one it lacks. The listing has no hardware hash: a CSV row (hash + serial number) is
    # found by its serial number; a serial + manufacturer + model device (in another case) by all three.
    devices = [
        {'hardware_hash': 'Odkq+WV57gxJdju8cvlmBqDIuVNkLzHY9CzWBHbpzDEdFS3vwgtON0CWEbnZ4pvl', 'serial_number': 'EB1-0001'},
        {'serial_number': 'eb1-0003', 'oem_manufacturer_name': 'hp', 'model_name': 'HP ProDesk 600 G5 Desktop Mini'},
    ] + new
    options = dict(batch_id=BATCH_1, devices=devices)
    checked = ok((yield step(simulator, 'device_batch.yml', check=True, **options)))
    assert checked['changed'] is True and checked['devices_count'] == 1
    assert changing_requests(simulator) == []

    first = ok((yield step(simulator, 'device_batch.yml', **options)))
    assert first['changed'] is True and first['devices_count'] == 1
    assert [(d['origin'], d['matched_by']) for d in first['devices_already_in_batch']] == [
        ('devices[0]', 'serial_number'), ('devices[1]', 'serial_number_manufacturer_model')]
    posts = [r for r in simulator.stats['api_requests'] if r['method'] == 'POST']
    assert [(p['path'], p['device_count']) for p in posts] == [
        ('/v1/customers/%s/deviceBatches/%s/devices' % (CUSTOMER, BATCH_1), 1)]

    before = request_count(simulator)
    second = ok((yield step(simulator, 'device_batch.yml', **options)))
    assert second['changed'] is False and second['devices_count'] == 0
    assert len(second['devices_already_in_batch']) == 3
    assert changing_requests(simulator, before) == []

    forced = ok((yield step(simulator, 'device_batch.yml', skip_existing=False, **options)))
    assert forced['changed'] is True and forced['devices_count'] == 3


# -- the guides' playbooks ------------------------------------------------------------------------------------------

def test_the_lifecycle_playbook_changes_nothing_the_second_time(simulator, collections_path, tmp_path):
    csv_file = tmp_path / 'laptops.csv'
    csv_file.write_text('Device Serial Number,Windows Product ID,Hardware Hash\r\nLC-G-0001,,%s\r\nLC-G-0002,,%s\r\n'
                        % (_hash('g1'), _hash('g2')), encoding='utf-8')
    playbook_path = harness.os.path.join(harness.REPO_ROOT, 'docs', 'autopilot-lifecycle', 'autopilot-lifecycle.yml')
    variables = dict(customer_id=CUSTOMER, batch_id='lifecycle-guide', devices_csv=str(csv_file), poll_interval=0.1)
    first = harness.run_playbook(playbook_path, collections_path, str(tmp_path), extra_vars=variables, env=creds(simulator))
    assert first.returncode == 0, first
    assert 'changed=3' in first.output, first.output  # profile, upload, assignment
    assert [m for m, _p, _s in changing_requests(simulator)] == ['POST', 'POST', 'PATCH']
    before = request_count(simulator)
    second = harness.run_playbook(playbook_path, collections_path, str(tmp_path), extra_vars=variables, env=creds(simulator))
    assert second.returncode == 0, second
    assert 'changed=0' in second.output, second.output
    assert changing_requests(simulator, before) == []


def test_the_provisioning_playbook_run_again_uploads_and_waits_for_nothing(simulator, collections_path, tmp_path):
    csv_file = tmp_path / 'laptops.csv'
    csv_file.write_text('Device Serial Number,Windows Product ID,Hardware Hash\r\nPV-0001,,%s\r\n' % _hash('pv1'), encoding='utf-8')
    playbook_path = harness.os.path.join(harness.REPO_ROOT, 'docs', 'provisioning-devices', 'provision-devices.yml')
    variables = dict(customer_id=CUSTOMER, batch_id='provision-again', devices_csv=str(csv_file), poll_delay=1,
                     report_dir=str(tmp_path / 'reports'))
    first = harness.run_playbook(playbook_path, collections_path, str(tmp_path), extra_vars=variables, env=creds(simulator))
    assert first.returncode == 0, first
    before = request_count(simulator)
    second = harness.run_playbook(playbook_path, collections_path, str(tmp_path), extra_vars=variables, env=creds(simulator))
    assert second.returncode == 0, second
    assert 'holds every device of laptops.csv already; nothing was uploaded' in second.output
    assert changing_requests(simulator, before) == []
    assert not [r for r in simulator.stats['api_requests'][before:] if 'batchJobStatus' in r['path']]
