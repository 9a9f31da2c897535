# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What only ansible-playbook shows of the Autopilot lifecycle: the diff of autopilot_profile, device_profile and device as
the controller renders it in check mode, and the guides' playbooks run whole (the second run changes nothing).

The modules' behaviour (once, then no change; check mode; diff contents; bad input) is tested in-process under
tests/unit/plugins/modules.
"""

import base64

import harness

CUSTOMER = harness.DEMO_CUSTOMER_ID
CHANGING = ('POST', 'PUT', 'PATCH', 'DELETE')
PROFILE_ID = '11111111-2222-4333-8444-555555555555'


def creds(simulator):
    return harness.simulator_credentials(simulator.url, 'app+user')


def changing_requests(simulator, since=0):
    return [(r['method'], r['path'].split('?')[0], r['status']) for r in simulator.stats['api_requests'][since:]
            if r['method'] in CHANGING]


def request_count(simulator):
    return len(simulator.stats['api_requests'])


# -- the diff as the controller shows it ------------------------------------------------------------------------------

DIFF_PLAYBOOK = """---
- name: The lifecycle modules in check mode with the diff shown
  hosts: localhost
  gather_facts: false
  check_mode: true
  diff: true
  tasks:
    - name: A profile whose settings change
      partnercenter.devices.autopilot_profile:
        customer_id: "{{ customer_id }}"
        name: Contoso kiosks
        settings: [skip_eula, skip_express_settings]
    - name: The profile assigned to a batch
      partnercenter.devices.device_profile:
        customer_id: "{{ customer_id }}"
        profile_id: "{{ profile_id }}"
        batch_id: existing-batch-1
    - name: A device removed
      partnercenter.devices.device:
        customer_id: "{{ customer_id }}"
        batch_id: existing-batch-1
        serial_numbers: [EB1-0002]
        state: absent
"""


def seeded_profile(seed):
    seed['customers'][CUSTOMER]['policies'] = [{'id': PROFILE_ID, 'name': 'Contoso kiosks', 'category': 'o_o_b_e',
                                                'policySettings': ['remove_oem_preinstalls', 'skip_eula']}]


def test_the_diff_of_each_lifecycle_module_is_shown_in_check_mode_and_nothing_is_sent(make_simulator, collections_path, tmp_path):
    simulator = make_simulator(seeded_profile)
    playbook_path = tmp_path / 'diff.yml'
    playbook_path.write_text(DIFF_PLAYBOOK, encoding='utf-8')
    run = harness.run_playbook(str(playbook_path), collections_path, str(tmp_path), env=creds(simulator),
                               extra_vars=dict(customer_id=CUSTOMER, profile_id=PROFILE_ID))
    assert run.returncode == 0, run
    assert 'changed=3' in run.output, run.output
    # autopilot_profile: the settings, one per line, as the callback renders the diff's before and after.
    assert '+        "skip_express_settings"' in run.output and '-        "remove_oem_preinstalls"' in run.output, run.output
    # device_profile: each device gets the profile.
    assert '+            "profile_id": "%s"' % PROFILE_ID in run.output, run.output
    # device: the device leaves.
    assert '-            "serial_number": "EB1-0002"' in run.output, run.output
    assert changing_requests(simulator) == []


# -- the guides' playbooks ------------------------------------------------------------------------------------------

def _hash(seed):
    return base64.b64encode(('lifecycle-%s-' % seed).encode().ljust(64, b'#')).decode()


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
