# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A service that echoes credentials inside a large batch status: the module's result shows them masked.

The module masks its result only where a secret can be (module_utils/module.py, ``needs_masking``); these
runs prove, through ansible-playbook at -vvvv, that a secret inside one device of thousands is still masked.
"""

import copy

import pytest

import harness

ECHO_BATCH = 'e3c4a7d0-5ec2-4e7a-9c0d-6b1f2a3c4d5e'
GENERATED_DEVICES = 3000
TOKEN_ECHO = 'Rejected: the request carried {bearer_token} as its token.'
SECRET_ECHO = 'Rejected: the client secret %s is not allowed here.' % harness.CLIENT_SECRET


@pytest.fixture
def echo_simulator():
    """A simulator whose batch ECHO_BATCH echoes the caller's bearer token and the client secret in two devices' errors."""
    from partner_center_simulator import PartnerCenterSimulator, load_seed  # pylint: disable=import-outside-toplevel,import-error

    seed = copy.deepcopy(load_seed(harness.DEFAULT_SEED))
    seed['customers'][harness.EXAMPLE_CUSTOMER_ID]['batches'][ECHO_BATCH] = {
        'statuses': ['finished'], 'generate_devices': GENERATED_DEVICES, 'echo_bearer_token': True,
        'devices': [
            {'serialNumber': 'ECHO-TOKEN', 'status': 'finished_with_errors', 'errorDescription': TOKEN_ECHO},
            {'serialNumber': 'ECHO-SECRET', 'status': 'finished_with_errors', 'errorDescription': SECRET_ECHO},
        ]}
    sim = PartnerCenterSimulator(seed)
    sim.start()
    yield sim
    sim.stop()


def descriptions(devices):
    """Serial number -> error description of the echoing devices."""
    return dict((device['serial_number'], device['error_description']) for device in devices
                if device['serial_number'].startswith('ECHO-'))


MASKED = {
    'ECHO-TOKEN': 'Rejected: the request carried ******** as its token.',
    'ECHO-SECRET': 'Rejected: the client secret ******** is not allowed here.',
}


@pytest.mark.parametrize('given_token', [False, True], ids=['client-secret', 'access-token'])
def test_echoed_secrets_are_masked_in_a_large_result(echo_simulator, playbook, given_token):
    env = harness.simulator_credentials(echo_simulator.url)
    variables = dict(customer_id=harness.EXAMPLE_CUSTOMER_ID, batch_tracking_id=ECHO_BATCH)
    if given_token:
        # The token is an option here (a no_log one) instead of one the module fetches.
        variables['access_token'] = harness.issue_token(echo_simulator.url)
    run = playbook('batch_upload_status.yml', variables, env=env, verbosity=4)
    assert run.returncode == 0, run
    result = run.results['result']
    # Every device is returned (so the masking is not a device left out) ...
    assert result['device_status_counts'] == {'finished': GENERATED_DEVICES, 'finished_with_errors': 2}
    assert len(result['batch_upload_details']['devices_status']) == GENERATED_DEVICES + 2
    assert 'SIM-%06d' % GENERATED_DEVICES in run.output
    # ... and the echoed secrets are masked wherever the devices are: the details, the fact, the devices with errors.
    assert descriptions(result['batch_upload_details']['devices_status']) == MASKED
    assert descriptions(run.results['fact']['devices_status']) == MASKED
    assert descriptions(result['devices_with_errors']) == MASKED
    issued = echo_simulator.stats['issued_tokens']
    assert issued
    for secret in harness.SECRETS + tuple(issued):
        assert secret not in run.output
