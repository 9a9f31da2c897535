# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docs site: what ``make docs`` runs (tests/tools/build_docs.py) builds it without a single warning,
with a page for every module, role and guide; and antsibull-docs' linter finds nothing."""

import html
import os
import re
import shutil
import subprocess
import sys

import pytest

import harness

TOOLS_DIR = os.path.join(harness.TESTS_DIR, 'tools')
BUILD_SCRIPT = os.path.join(TOOLS_DIR, 'build_docs.py')
if TOOLS_DIR not in sys.path:
    sys.path.insert(0, TOOLS_DIR)

import build_docs  # noqa: E402  pylint: disable=import-error,wrong-import-position

WARNING_LINE = re.compile(r'\b(WARNING|ERROR|CRITICAL|SEVERE)\b')


def build_site(script, dest):
    """Run the build script (without the linter, which test_lint_collection_docs runs) into ``dest``."""
    return subprocess.run([sys.executable, script, '--dest', str(dest), '--skip-lint'], capture_output=True, text=True,
                          check=False, timeout=300)


def modules():
    """The module names in plugins/modules/, as found now."""
    folder = os.path.join(harness.REPO_ROOT, 'plugins', 'modules')
    return sorted(name[:-3] for name in os.listdir(folder) if name.endswith('.py') and not name.startswith('_'))


def roles():
    """The role names in roles/, as found now."""
    folder = os.path.join(harness.REPO_ROOT, 'roles')
    return sorted(name for name in os.listdir(folder) if os.path.isdir(os.path.join(folder, name)))


def guides():
    """Every Markdown guide under docs/, outside docs/docsite/, as found now."""
    found = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(harness.REPO_ROOT, 'docs')):
        dirnames[:] = [name for name in dirnames if os.path.relpath(os.path.join(dirpath, name), harness.REPO_ROOT) != 'docs/docsite']
        found.extend(os.path.relpath(os.path.join(dirpath, name), harness.REPO_ROOT) for name in filenames if name.endswith('.md'))
    return sorted(found)


def read(path):
    """A text file's content."""
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def test_docs_site_builds_clean_with_every_module_role_and_guide(tmp_path):
    """One build (it takes seconds), then every check on its output."""
    completed = build_site(BUILD_SCRIPT, tmp_path)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert not [line for line in output.splitlines() if WARNING_LINE.search(line)], output

    front_page = read(tmp_path / 'index.html')
    assert 'href="collection/index.html"' in front_page

    assert modules(), 'no modules found: the test looks in the wrong place'
    for module in modules():
        page = tmp_path / 'collection' / ('%s_module.html' % module)
        assert page.exists(), 'no page for module %s' % module
        text = read(page)
        assert 'partnercenter.devices.%s module' % module in text
        # Options and return values come from DOCUMENTATION and RETURN, and the page links to its source.
        assert 'Parameters' in text and 'Return Values' in text, module
        assert 'https://github.com/partnercenter/devices/edit/main/plugins/modules/%s.py' % module in text

    assert roles(), 'no roles found: the test looks in the wrong place'
    for role in roles():
        page = tmp_path / 'collection' / ('%s_role.html' % role)
        assert page.exists(), 'no page for role %s (does it have meta/argument_specs.yml?)' % role
        assert 'partnercenter.devices.%s role' % role in read(page)

    assert guides(), 'no guides found: the test looks in the wrong place'
    for guide in guides():
        relative = os.path.splitext(os.path.relpath(guide, 'docs'))[0] + '.html'
        page = tmp_path / 'guides' / relative
        assert page.exists(), 'no page for the guide %s' % guide
        assert 'href="guides/%s"' % relative in front_page, 'the front page does not list %s' % guide
        title = re.search(r'^# (.+)$', read(os.path.join(harness.REPO_ROOT, guide)), re.MULTILINE)
        assert title, '%s has no "# Title" line' % guide
        heading = re.search(r'<h1>(.*?)<a class="headerlink"', read(page))
        assert heading, 'the page of %s has no title' % guide
        shown = html.unescape(re.sub(r'<[^>]+>', '', heading.group(1))).replace('\u2019', "'")
        assert shown == re.sub(r'[`*]', '', title.group(1)).strip(), guide


def test_a_warning_fails_the_build(tmp_path):
    """A guide with a broken link, in a copy of the checkout: the build fails and names the guide and the line."""
    checkout = tmp_path / 'checkout'
    listing = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'], cwd=harness.REPO_ROOT,
                             capture_output=True, check=True).stdout.decode('utf-8')
    for path in listing.split('\0'):
        if path and os.path.isfile(os.path.join(harness.REPO_ROOT, path)):
            os.makedirs(os.path.dirname(str(checkout / path)), exist_ok=True)
            shutil.copy2(os.path.join(harness.REPO_ROOT, path), str(checkout / path))
    (checkout / 'docs' / 'zz-broken.md').write_text('# Broken\n\nSee [the missing guide](no-such-guide.md).\n', encoding='utf-8')

    completed = build_site(str(checkout / 'tests' / 'tools' / 'build_docs.py'), tmp_path / 'site')
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert 'docs/zz-broken.md:3: WARNING' in output, output
    assert 'no-such-guide.md' in output, output


def test_lint_collection_docs(collections_path):
    """antsibull-docs lint-collection-docs --plugin-docs: DOCUMENTATION, argument specs, links.yml."""
    collection_dir = os.path.join(collections_path, 'ansible_collections', 'partnercenter', 'devices')
    completed = subprocess.run([os.path.join(harness.BIN_DIR, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs',
                                collection_dir], env=harness.ansible_env(collections_path), capture_output=True, text=True,
                               check=False, timeout=300)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert not output.strip(), output


class FakeSite:
    """What rewrite_links needs of a Site, with chosen guides and repository."""

    guides = ['docs/guide.md', 'docs/awx/README.md']
    repository = 'https://github.com/example/devices'
    branch = 'main'
    source_url = build_docs.Site.source_url


@pytest.mark.parametrize('markdown, expected', [
    # Links between guides stay relative: the site keeps the guides' layout.
    ('[AWX](awx/README.md#the-credential)', '[AWX](awx/README.md#the-credential)'),
    # Links to other files of the repository go to GitHub: files to blob/, folders to tree/.
    ('[role](../roles/wait_for_batch_upload/README.md)',
     '[role](https://github.com/example/devices/blob/main/roles/wait_for_batch_upload/README.md)'),
    ('[modules](../plugins/modules/)', '[modules](https://github.com/example/devices/tree/main/plugins/modules)'),
    ('[runtime](</meta/runtime.yml>)', '[runtime](<https://github.com/example/devices/blob/main/meta/runtime.yml>)'),
    ('[galaxy]: ../galaxy.yml', '[galaxy]: https://github.com/example/devices/blob/main/galaxy.yml'),
    # Targets that name no file stay, so that Sphinx warns about them.
    ('[gone](no-such-guide.md)', '[gone](no-such-guide.md)'),
    # URLs and anchors, code spans and fenced code stay as they are.
    ('[ms](https://learn.microsoft.com/x) [up](#top)', '[ms](https://learn.microsoft.com/x) [up](#top)'),
    ('`[role](../galaxy.yml)` [g](../galaxy.yml)', '`[role](../galaxy.yml)` [g](https://github.com/example/devices/blob/main/galaxy.yml)'),
    ('```md\n[g](../galaxy.yml)\n```\n', '```md\n[g](../galaxy.yml)\n```\n'),
    # Images stay relative (docs/ is copied into the site); a link whose text has brackets is still a link.
    ('![flow](../galaxy.yml) [see [1]](../galaxy.yml)', '![flow](../galaxy.yml) [see [1]](https://github.com/example/devices/blob/main/galaxy.yml)'),
])
def test_guide_links(markdown, expected):
    assert build_docs.rewrite_links(markdown, 'docs/guide.md', FakeSite()) == expected


@pytest.mark.parametrize('label, url', [
    ('common_return_values', 'https://docs.ansible.com/projects/ansible/latest/reference_appendices/common_return_values.html'),
    ('ansible_collections.ansible.builtin.uri_module__parameter-url',
     'https://docs.ansible.com/projects/ansible/latest/collections/ansible/builtin/uri_module.html#parameter-url'),
    # Our own pages are in the site: a label of ours that Sphinx cannot find stays a warning.
    ('ansible_collections.partnercenter.devices.nonexistent_module', None),
    ('no_such_label', None),
])
def test_references_to_ansible_docs(label, url):
    """Offline, references the generated pages make to Ansible's docs and other collections go to docs.ansible.com."""
    from docutils import nodes  # pylint: disable=import-outside-toplevel
    from sphinx import addnodes  # pylint: disable=import-outside-toplevel

    node = addnodes.pending_xref('', reftype='ref', reftarget=label)
    resolved = build_docs.resolve_ansible_docs_reference(None, None, node, nodes.Text('text'))
    assert (resolved['refuri'] if resolved is not None else None) == url
