# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The changelog: fragments that lint, a sanity test that checks them, and a release step known to work.

The release itself (``make changelog``) is cut once per version and removes the fragments, so it
runs here on a temporary copy of the checkout, exactly as a maintainer will run it.
"""

import html
import os
import re
import subprocess

import pytest
import yaml

import harness

RUN_SANITY_PATH = os.path.join(harness.TESTS_DIR, 'tools', 'run_sanity.py')
FRAGMENTS_DIR = os.path.join(harness.REPO_ROOT, 'changelogs', 'fragments')


run_sanity = harness.load_file_as_module('run_sanity', RUN_SANITY_PATH)


def load_yaml(path):
    """A YAML file, parsed."""
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def run(arguments, cwd, env=None):
    """Run a command; return it finished (the caller checks the outcome)."""
    return subprocess.run(arguments, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def plain(text):
    """Text with its RST or Markdown markup, escapes and line breaks taken out, for comparing wording."""
    text = re.sub(r'<[^>]+>', '', text)  # <code>, <a id=...> from the Markdown renderer
    text = re.sub(r'\\(.)', r'\1', text)  # Markdown escapes: wait\_timeout
    text = html.unescape(text).replace('``', '').replace('`', '')
    return ' '.join(text.split())


def fragment_entries():
    """(fragment file, section, text) for every entry of every fragment."""
    entries = []
    for name in sorted(os.listdir(FRAGMENTS_DIR) if os.path.isdir(FRAGMENTS_DIR) else []):
        if not name.endswith(('.yml', '.yaml')):
            continue
        for section, texts in load_yaml(os.path.join(FRAGMENTS_DIR, name)).items():
            for text in texts if isinstance(texts, list) else [texts]:
                entries.append((name, section, text))
    return entries


def test_config_writes_a_markdown_changelog():
    config = load_yaml(os.path.join(harness.REPO_ROOT, 'changelogs', 'config.yaml'))
    assert config['output'] == [{'file': 'CHANGELOG.md', 'format': 'md'}]
    assert config['changes_file'] == 'changelog.yaml' and config['notesdir'] == 'fragments'


def test_fragments_and_changelog_yaml_lint():
    antsibull_changelog = os.path.join(harness.BIN_DIR, 'antsibull-changelog')
    for command in ([antsibull_changelog, 'lint'], [antsibull_changelog, 'lint-changelog-yaml', 'changelogs/changelog.yaml']):
        completed = run(command, cwd=harness.REPO_ROOT)
        assert completed.returncode == 0 and not completed.stdout.strip(), completed.stdout + completed.stderr


def test_sanity_runs_the_changelog_test_and_it_catches_a_broken_fragment(tmp_path):
    run_sanity.ensure_get_pip_cache()
    root = run_sanity.copy_collection(str(tmp_path))
    fragments_dir = os.path.join(root, 'changelogs', 'fragments')
    os.makedirs(fragments_dir, exist_ok=True)  # git keeps no empty folder: right after a release it is gone
    with open(os.path.join(fragments_dir, 'broken.yml'), 'w', encoding='utf-8') as handle:
        handle.write('minor_changez:\n  - A section antsibull-changelog does not know.\n')
    with run_sanity.ansible_test_lock():  # make test runs make sanity alongside
        listed = run(run_sanity.sanity_command(['--list-tests']), cwd=root)
        checked = run(run_sanity.sanity_command(['--test', 'changelog']), cwd=root)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert 'changelog' in listed.stdout.split()
    assert checked.returncode != 0, checked.stdout + checked.stderr
    assert 'changelogs/fragments/broken.yml:0:0: invalid section: minor_changez' in checked.stdout + checked.stderr


@pytest.fixture(scope='module')
def released(tmp_path_factory):
    """A copy of the checkout after ``make changelog``, the release step, for galaxy.yml's version."""
    root = str(tmp_path_factory.mktemp('release'))
    for path in run_sanity.collection_files():
        target = os.path.join(root, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(os.path.join(harness.REPO_ROOT, path), 'rb') as source, open(target, 'wb') as copy:
            copy.write(source.read())
    venv = os.path.dirname(harness.BIN_DIR)
    # The checkout's virtualenv, taken as it is (-o: never set up again from here).
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('ANSIBLE_'))
    completed = run(['make', '--no-print-directory', 'changelog', 'VENV=' + venv, '-o', venv + '/.setup-done'], cwd=root,
                    env=env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return root


def test_release_writes_every_fragment_into_changelog_md(released):
    version = load_yaml(os.path.join(harness.REPO_ROOT, 'galaxy.yml'))['version']
    with open(os.path.join(released, 'CHANGELOG.md'), encoding='utf-8') as handle:
        changelog = handle.read()
    assert '\n## v%s\n' % version.replace('.', '\\.') in changelog
    text = plain(changelog)
    # Right after a release there are no fragments left; until then, every one must make it in.
    entries = fragment_entries()
    for name, section, entry in entries:
        if section != 'trivial':
            assert plain(entry) in text, '%s (%s) is missing from CHANGELOG.md' % (name, section)
    release = load_yaml(os.path.join(released, 'changelogs', 'changelog.yaml'))['releases'][version]
    assert set(name for name, _section, _entry in entries) <= set(release.get('fragments', []))
    # The fragments are consumed (keep_fragments: false).
    fragments_dir = os.path.join(released, 'changelogs', 'fragments')
    assert not os.path.isdir(fragments_dir) or not [name for name in os.listdir(fragments_dir) if name.endswith('.yml')]


def test_release_lists_every_module_and_role(released):
    with open(os.path.join(released, 'CHANGELOG.md'), encoding='utf-8') as handle:
        text = plain(handle.read())
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(harness.REPO_ROOT, 'plugins', 'modules'))
                     if name.endswith('.py') and name != '__init__.py')
    roles = sorted(os.listdir(os.path.join(harness.REPO_ROOT, 'roles')))
    assert modules and roles
    # antsibull-changelog lists a module or role as new in the release its version_added names.
    for name in modules + roles:
        assert 'partnercenter.devices.%s - ' % name in text, (
            '%s is not in CHANGELOG.md: give it version_added (a role: in meta/argument_specs.yml, entry point main)' % name)
