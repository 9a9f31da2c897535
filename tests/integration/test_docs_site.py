# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docs site: what ``make docs`` runs (tests/tools/build_docs.py, antsibull-docs' collection docsite)
builds it offline without a single warning, with a page for every module, role and guide of
docs/docsite/extra-docs.yml; long names show whole in the sidebar; antsibull-docs' linter finds nothing;
and every link of README.md and the guides to a file of the repository resolves."""

import html
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

import harness

TOOLS_DIR = os.path.join(harness.TESTS_DIR, 'tools')
BUILD_SCRIPT = os.path.join(TOOLS_DIR, 'build_docs.py')
if TOOLS_DIR not in sys.path:
    sys.path.insert(0, TOOLS_DIR)

import build_docs  # noqa: E402  pylint: disable=import-error,wrong-import-position

DOCSITE = os.path.join(harness.REPO_ROOT, 'docs', 'docsite')
WARNING_LINE = re.compile(r'\b(WARNING|ERROR|CRITICAL|SEVERE)\b')
CHROMIUM = shutil.which('chromium') or shutil.which('chromium-browser')
REPOSITORY_URL = re.compile(r'https://github\.com/partnercenter/devices/(?:blob|tree)/main/([^\s)>`"\'#]+)')
MARKDOWN_LINK = re.compile(r'\]\(([^)\s]+)\)')


def build_site(script, dest):
    """Run the build script (without the linter, which test_lint_collection_docs runs) into ``dest``.

    Every proxy points at a closed port: a build that fetched anything (an intersphinx inventory) would warn.
    """
    closed = 'http://127.0.0.1:9'
    env = dict(os.environ, http_proxy=closed, https_proxy=closed, HTTP_PROXY=closed, HTTPS_PROXY=closed,
               no_proxy='', NO_PROXY='')
    return subprocess.run([sys.executable, script, '--dest', str(dest), '--skip-lint'], capture_output=True, text=True,
                          check=False, timeout=600, env=env)


def read(path):
    """A text file's content."""
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def names(folder, suffix=''):
    """File (without ``suffix``) or folder names in a folder of the repository, as found now."""
    path = os.path.join(harness.REPO_ROOT, folder)
    return sorted(name[:len(name) - len(suffix)] for name in os.listdir(path)
                  if name.endswith(suffix) and not name.startswith('_'))


def guides():
    """The guides docs/docsite/extra-docs.yml lists, as (ref, section title) pairs."""
    index = yaml.safe_load(read(os.path.join(DOCSITE, 'extra-docs.yml')))
    return [(ref, section['title']) for section in index['sections'] for ref in section['toctree']]


def rst_title(text):
    """The title of an RST document: the first line underlined with '='."""
    return re.search(r'^(\S.*)\n=+\n', text, re.MULTILINE).group(1)


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    """One build, shared by every check on its output."""
    dest = tmp_path_factory.mktemp('docsite') / 'html'
    completed = build_site(BUILD_SCRIPT, dest)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert not [line for line in output.splitlines() if WARNING_LINE.search(line)], output
    return dest


def test_every_module_role_and_guide_has_its_page(site):
    front_page = read(site / 'index.html')

    modules = names('plugins/modules', '.py')
    assert modules, 'no modules found: the test looks in the wrong place'
    for module in modules:
        page = site / ('%s_module.html' % module)
        assert page.exists(), 'no page for module %s' % module
        text = read(page)
        assert 'partnercenter.devices.%s module' % module in text
        # Options and return values come from DOCUMENTATION and RETURN, and the page links to its source.
        assert 'Parameters' in text and 'Return Values' in text, module
        assert 'https://github.com/partnercenter/devices/edit/main/plugins/modules/%s.py' % module in text
        assert 'href="%s_module.html"' % module in front_page

    roles = [name for name in names('roles') if os.path.isdir(os.path.join(harness.REPO_ROOT, 'roles', name))]
    assert roles, 'no roles found: the test looks in the wrong place'
    for role in roles:
        page = site / ('%s_role.html' % role)
        assert page.exists(), 'no page for role %s (does it have meta/argument_specs.yml?)' % role
        assert 'partnercenter.devices.%s role' % role in read(page)

    event_sources = build_docs.event_source_docs()
    assert [name for name, unused_doc, unused_examples in event_sources] == names('extensions/eda/plugins/event_source', '.py')
    for name, doc, unused_examples in event_sources:
        page = site / ('%s_event_source.html' % name)
        assert page.exists(), 'no page for event source %s' % name
        text = html.unescape(re.sub(r'<[^>]+>', '', read(page)))
        assert 'partnercenter.devices.%s event source' % name in text
        assert 'Parameters' in text and 'Examples' in text, name
        for option in doc['options']:
            assert '\n%s\n' % option in text, 'the page of event source %s does not show its option %s' % (name, option)
        # The collection index lists it among the plugins, after the inventory plugins.
        assert 'href="%s_event_source.html"' % name in front_page
        assert front_page.index('Inventory Plugins') < front_page.index('Event Sources')
        assert 'href="%s_event_source.html' % name in front_page.split('Event Sources', 1)[1].split('Role Index', 1)[0]

    listed = guides()
    on_disk = names('docs/docsite/rst', '.rst')
    assert sorted(ref for ref, unused_section in listed) == on_disk, 'extra-docs.yml and docs/docsite/rst/ differ'
    for ref, section in listed:
        page = site / 'docsite' / ('%s.html' % ref)
        assert page.exists(), 'no page for the guide %s' % ref
        assert 'href="docsite/%s.html"' % ref in front_page, 'the front page does not list %s' % ref
        assert html.escape(section, quote=False) in front_page
        heading = re.search(r'<h1>(.*?)<a class="headerlink"', read(page))
        assert heading, 'the page of %s has no title' % ref
        shown = html.unescape(re.sub(r'<[^>]+>', '', heading.group(1))).replace('\u2019', "'")
        title = rst_title(read(os.path.join(DOCSITE, 'rst', ref + '.rst')))
        assert shown == re.sub(r'``|\*', '', title).strip(), ref


def test_the_site_installs_the_collection_as_the_readme_says(site):
    galaxy = yaml.safe_load(read(os.path.join(harness.REPO_ROOT, 'galaxy.yml')))
    install = build_docs.INSTALL.format(repository=galaxy['repository'].rstrip('/'), namespace='partnercenter', name='devices')
    assert '```sh\n%s\n```' % install in read(os.path.join(harness.REPO_ROOT, 'README.md'))
    page = read(site / 'batch_upload_status_module.html')
    assert html.escape(install, quote=False) in re.sub(r'<[^>]+>', '', page)
    assert 'git+https' not in page


def test_the_guides_need_no_network(site):
    """Playbooks and CSVs are shown in the page itself; no page loads anything from elsewhere."""
    provisioning = read(site / 'docsite' / 'provisioning-devices.html')
    assert 'DEMO-LAPTOP-0006,,dHJ1bmNhdGVkIGhhc2g=' in provisioning
    assert 'github.com/partnercenter/devices/blob/main/docs/provisioning-devices' not in provisioning
    for dirpath, unused_dirnames, filenames in os.walk(str(site)):
        for name in filenames:
            if name.endswith('.html'):
                text = read(os.path.join(dirpath, name))
                assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', text), name


@pytest.mark.parametrize('page, links', [
    ('access_token_module.html', ['docsite/credentials.html', 'wait_for_batch_upload_role.html']),
    ('customers_inventory.html', ['docsite/scale-out.html']),
    ('batch_upload_status_module.html', ['docsite/device-error-codes.html']),
], ids=['seealso', 'inventory-seealso', 'url-in-a-description'])
def test_pages_link_to_the_guides_in_the_site(site, page, links):
    """A link to a guide's or a role's source on GitHub (what ansible-doc shows) goes to its page in the site."""
    text = read(site / page)
    for link in links:
        assert 'href="%s"' % link in text, link
    assert not re.search(r'github\.com/partnercenter/devices/blob/main/(?:docs/docsite/rst/|roles/)', text)
    if page == 'batch_upload_status_module.html':
        # A bare URL in a description shows the guide's title.
        assert '<a class="reference internal" href="docsite/device-error-codes.html">Device error codes</a>' in text


@pytest.mark.skipif(CHROMIUM is None, reason='chromium is not installed (tests/tools/ensure_chromium.sh)')
def test_the_sidebar_shows_long_names_whole(site, tmp_path):
    """In Chromium at 1280 px, no sidebar entry is cut: each fits its line box, inside the sidebar, and breaks
    only at a space, a dash or after a dot, never inside a word."""
    page = site / 'autopilot_profile_info_module.html'
    measure = ('<script>window.addEventListener("load", function () {'
               ' var nav = document.querySelector(".wy-nav-side").getBoundingClientRect(); var cut = [], seen = 0;'
               ' var inside = [];'
               ' document.querySelectorAll(".wy-menu-vertical a").forEach(function (a) {'
               '  var box = a.getBoundingClientRect(); if (!box.width) { return; } seen += 1;'
               '  if (a.scrollWidth > a.clientWidth + 1 || box.right > nav.right + 1) { cut.push(a.textContent.trim()); }'
               '  var chars = [], walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);'
               '  while (walker.nextNode()) { var node = walker.currentNode;'
               '   for (var i = 0; i < node.data.length; i++) { var range = document.createRange(); range.setStart(node, i);'
               '    range.setEnd(node, i + 1); var rect = range.getClientRects()[0];'
               '    chars.push([node.data[i], rect ? rect.top : (chars.length ? chars[chars.length - 1][1] : 0)]); } }'
               '  for (var k = 1; k < chars.length; k++) {'
               '   if (chars[k][1] > chars[k - 1][1] + 2 && !/[\\s.\\-\\u2013\\u2014]/.test(chars[k - 1][0]) && !/\\s/.test(chars[k][0])) {'
               '    inside.push(a.textContent.trim()); break; } } });'
               ' document.body.setAttribute("data-sidebar", JSON.stringify({seen: seen, cut: cut, inside: inside})); });</script>')
    measured = page.parent / 'measured-sidebar.html'
    measured.write_text(read(page).replace('</body>', measure + '</body>'), encoding='utf-8')
    command = [CHROMIUM, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1280,900']
    dom = subprocess.run(command + ['--dump-dom', measured.as_uri()], capture_output=True, text=True, timeout=120,
                         check=True).stdout
    found = re.search(r'data-sidebar="([^"]+)"', dom)
    assert found, dom[-2000:]
    sidebar = json.loads(html.unescape(found.group(1)))
    assert sidebar['seen'] >= len(names('plugins/modules', '.py')), sidebar
    assert sidebar['cut'] == [], sidebar
    assert sidebar['inside'] == [], sidebar
    # A picture for a person to look at, beside the test's files.
    screenshot = tmp_path / 'sidebar.png'
    subprocess.run(command + ['--screenshot=%s' % screenshot, page.as_uri()], capture_output=True, timeout=120, check=True)
    assert screenshot.stat().st_size > 10000


def test_a_warning_fails_the_build(tmp_path):
    """A guide with a broken reference, in a copy of the checkout: the build fails and names the guide and the line."""
    checkout = tmp_path / 'checkout'
    listing = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard', '-z'], cwd=harness.REPO_ROOT,
                             capture_output=True, check=True).stdout.decode('utf-8')
    for path in listing.split('\0'):
        if path and os.path.isfile(os.path.join(harness.REPO_ROOT, path)):
            os.makedirs(os.path.dirname(str(checkout / path)), exist_ok=True)
            shutil.copy2(os.path.join(harness.REPO_ROOT, path), str(checkout / path))
    guide = checkout / 'docs' / 'docsite' / 'rst' / 'credentials.rst'
    text = guide.read_text(encoding='utf-8')
    broken = 'See :ref:`the missing guide <ansible_collections.partnercenter.devices.docsite.no_such_guide>`.\n'
    guide.write_text(text + '\n' + broken, encoding='utf-8')
    line = (text + '\n').count('\n') + 1

    completed = build_site(str(checkout / 'tests' / 'tools' / 'build_docs.py'), tmp_path / 'site')
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert 'docs/docsite/rst/credentials.rst:%d: WARNING' % line in output, output
    assert 'no_such_guide' in output, output


def test_lint_collection_docs(collections_path):
    """antsibull-docs lint-collection-docs --plugin-docs: DOCUMENTATION, argument specs, links.yml, the extra docs."""
    collection_dir = os.path.join(collections_path, 'ansible_collections', 'partnercenter', 'devices')
    completed = subprocess.run([os.path.join(harness.BIN_DIR, 'antsibull-docs'), 'lint-collection-docs', '--plugin-docs',
                                collection_dir], env=harness.ansible_env(collections_path), capture_output=True, text=True,
                               check=False, timeout=300)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert not output.strip(), output


def rst_anchors(text):
    """The ids docutils (and GitHub) gives the sections of an RST document."""
    from docutils.nodes import make_id  # pylint: disable=import-outside-toplevel

    return set(make_id(title) for title, unused_underline in re.findall(r'^(\S.*)\n([-=~^"])\2+\n', text, re.MULTILINE))


def markdown_anchors(text):
    """The ids GitHub gives the headings of a Markdown document."""
    return set(re.sub(r'[^\w\- ]', '', title.strip().lower()).replace(' ', '-') for title in re.findall(r'^#+ (.+)$', text, re.MULTILINE))


def linking_files():
    """README.md, every Markdown file under docs/, the guides, and the files whose docs link to the repository."""
    found = ['README.md', 'tests/benchmarks/README.md']
    for top in ('docs', 'roles', 'plugins'):
        for dirpath, unused_dirnames, filenames in os.walk(os.path.join(harness.REPO_ROOT, top)):
            found.extend(os.path.relpath(os.path.join(dirpath, name), harness.REPO_ROOT)
                         for name in filenames if name.endswith(('.md', '.rst', '.py', '.yml', '.j2')))
    return sorted(found)


def test_every_link_to_a_file_of_the_repository_resolves():
    """Relative links in README.md and the Markdown files, and links to this repository's files anywhere in docs/,
    roles/ and plugins/, name a file that exists, and a section of it that exists."""
    broken = []
    checked = 0
    for source in linking_files():
        text = read(os.path.join(harness.REPO_ROOT, source))
        targets = []
        if source.endswith('.md'):
            for target in MARKDOWN_LINK.findall(text):
                if not re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', target):
                    path, unused_hash, anchor = target.partition('#')
                    targets.append((os.path.normpath(os.path.join(os.path.dirname(source), path)) if path else source, anchor))
        for match in REPOSITORY_URL.finditer(text):
            targets.append((match.group(1).rstrip('/.,'), ''))
        for path, anchor in targets:
            checked += 1
            full = os.path.join(harness.REPO_ROOT, path)
            if not os.path.exists(full):
                broken.append('%s: %s does not exist' % (source, path))
            elif anchor and os.path.isfile(full):
                anchors = rst_anchors(read(full)) if path.endswith('.rst') else markdown_anchors(read(full))
                if anchor not in anchors:
                    broken.append('%s: %s has no section #%s' % (source, path, anchor))
    assert checked > 20, 'found only %d links: the test looks in the wrong place' % checked
    assert broken == []


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
