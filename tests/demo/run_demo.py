# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: start the Partner Center simulator, run the provisioning guide's playbook against it, stop it."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import harness  # noqa: E402  pylint: disable=wrong-import-position
from partner_center_simulator import PartnerCenterSimulator, load_seed  # noqa: E402  pylint: disable=wrong-import-position,import-error

# The demo is the provisioning guide's own playbook, run against the simulator's demo customer.
GUIDE_DIR = os.path.join(harness.REPO_ROOT, 'docs', 'provisioning-devices')
PLAYBOOK = os.path.join(GUIDE_DIR, 'provision-devices.yml')
# DEMO_REPORT_DIR moves them, so that the tests do not overwrite the reports of a `make demo`.
REPORT_DIR = os.environ.get('DEMO_REPORT_DIR') or os.path.join(harness.REPO_ROOT, 'build', 'demo-reports')
INVENTORY = os.path.join(GUIDE_DIR, 'inventory.ini')
DEMO_VARS = {
    'customer_id': harness.DEMO_CUSTOMER_ID,
    'batch_id': 'contoso-demo-laptops',
    'devices_csv': os.path.join(GUIDE_DIR, 'devices.csv'),
    'report_dir': REPORT_DIR,
    # The simulator finishes a batch in seconds, not minutes.
    'poll_delay': 1,
    'poll_retries': 10,
}


def main():
    """Run the demo; exit with ansible-playbook's exit code."""
    collections_path = harness.make_collections_path()
    with PartnerCenterSimulator(load_seed(harness.DEFAULT_SEED)) as simulator:
        sys.stdout.write('Partner Center simulator listening on %s (fake tenant, fake credentials)\n' % simulator.url)
        sys.stdout.flush()
        env = harness.ansible_env(collections_path, **harness.simulator_credentials(simulator.url, kind='app+user'))
        env.pop('ANSIBLE_NOCOLOR')
        command = [os.path.join(harness.BIN_DIR, 'ansible-playbook'), '-i', INVENTORY,
                   '-e', json.dumps(DEMO_VARS), PLAYBOOK]
        command.extend(sys.argv[1:])
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == '__main__':
    sys.exit(main())
