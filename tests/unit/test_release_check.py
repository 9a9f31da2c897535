# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""make release-check's judgement (tests/tools/release_check.py, run_sanity.py): what it reads in the tools' output
and in the collection's metadata, each on a good and a bad example; and the collection's own files pass."""

import configparser
import os

import pytest

import harness

release_check = harness.load_file_as_module('release_check', os.path.join(harness.TESTS_DIR, 'tools', 'release_check.py'))
run_sanity = harness.load_file_as_module('run_sanity', os.path.join(harness.TESTS_DIR, 'tools', 'run_sanity.py'))

# Lines as ansible-test 2.16-2.21 print them (ansible_test/_internal/commands/sanity/__init__.py, util.py).
SANITY_OUTPUT = '''\
WARNING: Using locale "C.UTF-8" instead of "en_US.UTF-8". Tests which depend on the locale may behave unexpectedly.
Running sanity test "compile" on Python 3.13
WARNING: Skipping sanity test "compile" on Python 3.14 because it could not be found.
Running sanity test "import" on Python 3.9
WARNING: Skipping sanity test "import" on Python 3.8 because it could not be found.
Running sanity test "shellcheck"
WARNING: Required program "shellcheck" not found.
WARNING: Skipping sanity test "yamllint" on Python 3.11 due to missing libyaml support in PyYAML.
WARNING: Skipping tests disabled by default without --allow-disabled: release-names
WARNING: Reviewing previous 5 warning(s):
WARNING: Skipping sanity test "compile" on Python 3.14 because it could not be found.
WARNING: Required program "shellcheck" not found.
'''.splitlines(True)


def test_every_skipped_sanity_test_is_found_once():
    assert run_sanity.skipped_tests(SANITY_OUTPUT) == [
        ('Skipping sanity test "compile" on Python 3.14 because it could not be found.', True),
        ('Skipping sanity test "import" on Python 3.8 because it could not be found.', False),
        ('Required program "shellcheck" not found.', False),
        ('Skipping sanity test "yamllint" on Python 3.11 due to missing libyaml support in PyYAML.', False),
        ('Skipping tests disabled by default without --allow-disabled: release-names', False),
    ]


@pytest.mark.parametrize('line', [
    'Running sanity test "compile" on Python 3.14\n',
    'WARNING: Using locale "C.UTF-8" instead of "en_US.UTF-8". Tests which depend on the locale may behave unexpectedly.\n',
    "WARNING: Location 'file:///opt/pypi/simple/pip/' is ignored: it is neither a file nor a directory.\n",
    'ERROR: plugins/modules/device.py:3:1: Skipping is not a skip\n',
])
def test_other_lines_are_no_skipped_test(line):
    assert run_sanity.skipped_tests([line]) == []


def test_a_skipped_test_fails_a_passing_run_naming_it():
    returncode, message = run_sanity.verdict(0, run_sanity.skipped_tests(SANITY_OUTPUT))
    assert returncode == 1
    assert 'ansible-test sanity FAILED: it skipped 4 test run(s)' in message
    assert 'Required program "shellcheck" not found.' in message.split('FAILED')[1]
    assert 'NOT RUN' in message and 'on Python 3.14' in message.split('FAILED')[0]


def test_a_python_that_cannot_be_had_is_reported_not_failed():
    skipped = run_sanity.skipped_tests([SANITY_OUTPUT[2]])
    assert run_sanity.verdict(0, skipped) == (0, 'NOT RUN, no such Python on this machine (run_sanity.PYTHONS_NOT_OBTAINABLE: 3.14):\n'
                                                 '  Skipping sanity test "compile" on Python 3.14 because it could not be found.')
    assert run_sanity.verdict(1, skipped)[0] == 1
    assert run_sanity.verdict(0, []) == (0, '')


def test_importer_warnings_and_errors_are_findings():
    output = '''\
Importing with galaxy-importer 0.4.44
Linting module_utils client via flake8...
WARNING: plugins/module_utils/client.py:249:21: W503 line break before binary operator
ERROR: The import failed for the following reason: Invalid collection metadata. Config is enabled that requires version to be 1.0.0 or greater.
Loading role wait_for_batch_upload
Importer processing completed successfully
'''.splitlines(True)
    assert release_check.importer_findings(output) == [
        'WARNING: plugins/module_utils/client.py:249:21: W503 line break before binary operator',
        'ERROR: The import failed for the following reason: Invalid collection metadata. Config is enabled that requires version '
        'to be 1.0.0 or greater.',
    ]
    assert release_check.importer_findings(['Linting module device via flake8...\n', 'Collection loading complete\n']) == []


@pytest.mark.parametrize('text, problem', [
    ('requests==2.0\n', "line 1: 'requests==2.0' pins or caps a version"),
    ('# what the plugins import\nrequests < 3\n', "line 2: 'requests < 3' pins or caps a version"),
    ('requests~=2.28\n', 'pins or caps a version'),
    ('ansible-core\n', "line 1: 'ansible-core': the execution environment brings its own ansible-core"),
    ('Ansible_Core>=2.16\n', 'the execution environment brings its own ansible-core'),
    ('ansible\n', 'the execution environment brings its own ansible-core'),
    ('-r other.txt\n', 'is not a plain requirement'),
])
def test_a_bad_requirements_txt_is_caught(text, problem):
    problems = release_check.requirements_problems(text)
    assert len(problems) == 1 and problem in problems[0], problems


@pytest.mark.parametrize('text', ['', '# nothing beyond ansible-core\n', 'requests\n', 'requests>=2.28  # the client\n',
                                  'jmespath>=1.0; python_version >= "3.9"\n', 'pywinrm[kerberos]>=0.4\n'])
def test_unpinned_requirements_pass(text):
    assert release_check.requirements_problems(text) == []


@pytest.mark.parametrize('text, problem', [
    ('requires_ansible: ">=2.15"\n', "requires_ansible is '>=2.15'; the oldest ansible-core tested (tests/tools/run_matrix.py) is 2.16"),
    ('requires_ansible: ">=2.16.0,<2.22"\n', 'no upper bound'),
    ('action_groups: {}\n', 'no requires_ansible; set requires_ansible: ">=2.16.0"'),
])
def test_a_bad_requires_ansible_is_caught(text, problem):
    problems = release_check.requires_ansible_problems(text, '2.16')
    assert len(problems) == 1 and problem in problems[0], problems


def test_requires_ansible_of_the_oldest_version_passes():
    assert release_check.requires_ansible_problems('requires_ansible: ">=2.16.0"\n', '2.16') == []


@pytest.mark.parametrize('version, problem', [('0.2.0', 'version 0.2.0 is below 1.0.0'), ('1.0', 'is not a semantic version')])
def test_a_version_below_1_0_0_is_caught(version, problem):
    problems = release_check.version_problems('version: %s\n' % version)
    assert len(problems) == 1 and problem in problems[0], problems


@pytest.mark.parametrize('version', ['1.0.0', '2.3.1'])
def test_a_version_from_1_0_0_passes(version):
    assert release_check.version_problems('version: %s\n' % version) == []


@pytest.mark.parametrize('text, problem', [
    ('version: 3\ndependencies:\n  python: requirements-ee.txt\n', "dependencies.python is 'requirements-ee.txt'"),
    ('version: 3\ndependencies:\n  python: requirements.txt\n  ansible_core:\n    package_pip: ansible-core\n',
     'dependencies.ansible_core belongs in an image'),
    ('version: 3\ndependencies:\n  python: requirements.txt\n  system: bindep.txt\n', 'dependencies.system names bindep.txt, which does not exist'),
])
def test_a_bad_execution_environment_file_is_caught(text, problem):
    problems = release_check.execution_environment_problems(text, exists=lambda path: not path.endswith('bindep.txt'))
    assert len(problems) == 1 and problem in problems[0], problems


def test_an_entry_in_a_sanity_ignore_file_is_caught(tmp_path):
    (tmp_path / 'tests' / 'sanity').mkdir(parents=True)
    (tmp_path / 'tests' / 'sanity' / 'ignore-2.16.txt').write_text('# none\n', encoding='utf-8')
    assert release_check.sanity_ignore_problems(str(tmp_path)) == []
    entry = 'plugins/modules/device.py validate-modules:doc-default\n'
    (tmp_path / 'tests' / 'sanity' / 'ignore-2.21.txt').write_text(entry, encoding='utf-8')
    assert release_check.sanity_ignore_problems(str(tmp_path)) == [
        'tests/sanity/ignore-2.21.txt has 1 entry (plugins/modules/device.py validate-modules:doc-default): fix what ansible-test finds '
        'instead and delete the file']


def test_the_collection_metadata_passes_every_check_but_the_version():
    read = release_check.read
    assert release_check.requires_ansible_problems(read('meta', 'runtime.yml'), '2.16') == []
    assert release_check.execution_environment_problems(read('meta', 'execution-environment.yml')) == []
    assert release_check.requirements_problems(read('requirements.txt')) == []
    assert release_check.sanity_ignore_problems(harness.REPO_ROOT) == []


def test_the_oldest_matrix_version_is_what_requires_ansible_is_checked_against():
    assert release_check.load_tool('run_matrix').VERSIONS[0][0] == '2.16'


# The two galaxy-importer checks: the newest (Galaxy's), and Red Hat's partner certification checker's
# (github.com/ansible-collections/partner-certification-checker, .github/workflows/certification-reusable.yml).

def test_both_importer_checks_run_after_metadata():
    names = [name for name, _function in release_check.checks(release_check.parse_arguments([]))]
    assert names[:3] == ['metadata', 'galaxy-importer', 'galaxy-importer-certification']


@pytest.mark.parametrize('only, name, wanted', [
    ('galaxy-importer', 'galaxy-importer', True),
    ('galaxy-importer', 'galaxy-importer-certification', False),
    ('galaxy-importer-certification', 'galaxy-importer-certification', True),
    ('galaxy-importer-certification', 'galaxy-importer', False),
])
def test_only_selects_each_importer_check_by_its_own_name(only, name, wanted):
    assert release_check.selected(name, only) is wanted


def test_the_newest_importer_imports_the_built_tarball():
    command = release_check.IMPORTERS['galaxy-importer'].command('/venv/bin', '/work/built/ns-name-1.0.0.tar.gz', '/work/built')
    assert command == ['/venv/bin/python', '-m', 'galaxy_importer.main', '/work/built/ns-name-1.0.0.tar.gz']


def test_the_certification_importer_builds_from_the_source_folder_as_the_checker_does():
    command = release_check.IMPORTERS['galaxy-importer-certification'].command('/venv/bin', '/work/source', '/work/built')
    assert command == ['/venv/bin/python', '-m', 'galaxy_importer.main', '--git-clone-path', '/work/source', '--output-path', '/work/built']


def test_the_certification_importer_has_the_checkers_settings_and_no_others():
    importer = release_check.IMPORTERS['galaxy-importer-certification']
    parser = configparser.ConfigParser()
    parser.read_string(importer.config_text)
    assert dict(parser['galaxy-importer']) == {'check_required_tags': 'True', 'run_ansible_lint': 'False'}
    assert importer.settings == {}
    assert importer.lint == ('ansible-lint', '--profile=production')
    assert importer.python == '3.12'


def test_the_certification_virtualenv_pins_the_checkers_versions():
    with open(release_check.IMPORTERS['galaxy-importer-certification'].requirements, encoding='utf-8') as handle:
        pins = dict(line.strip().split('==') for line in handle if '==' in line and not line.startswith('#'))
    assert (pins['galaxy_importer'], pins['ansible-lint'], pins['ansible-core']) == ('0.4.31', '24.12.2', '2.16.0')


def test_each_importer_has_its_own_virtualenv_and_requirements():
    importers = release_check.IMPORTERS.values()
    assert len(set(importer.venv for importer in importers)) == len(set(importer.requirements for importer in importers)) == 2


def test_an_ansible_lint_warning_line_is_a_finding_of_the_certification_check():
    # As ansible-lint 24.12.2 logs a task whose module its plugin loader cannot find (without colour: NO_COLOR=1).
    lines = ['WARNING  Invalid value (None)for resolved_fqcn attribute of partnercenter.devices.device_batch module.\n',
             "Passed: 0 failure(s), 0 warning(s) on 295 files. Profile 'production' was required, and it passed.\n"]
    assert release_check.importer_findings(lines) == [lines[0].rstrip('\n')]
