# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the collection's HTML docs site (``make docs``), failing on any warning.

1. ``antsibull-docs collection`` writes RST pages for every module and role, from their DOCUMENTATION
   and ``meta/argument_specs.yml``, with the links of ``docs/docsite/links.yml``.
2. docs/ is copied next to them: every Markdown file there is a guide. The guides are read on GitHub
   too, so they stay Markdown (``myst-parser`` renders them) and are copied as they are, except that
   relative links to files that are not guides become links to those files on GitHub.
3. ``sphinx-build -W -n`` turns it all into HTML, without the network: no intersphinx; the references
   to Ansible's own docs that the generated pages make resolve to docs.ansible.com URLs here.
4. Meanwhile ``antsibull-docs lint-collection-docs --plugin-docs`` checks the collection's docs
   (markup, references, links.yml); ``--skip-lint`` leaves it out.

The guides, modules and roles are found when the site is built, never listed here.

Usage: ``python tests/tools/build_docs.py [--dest build/docsite] [--skip-lint]``; open ``index.html``.
This file is also the Sphinx extension that the generated ``conf.py`` loads (see ``setup``).
"""

import argparse
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote, unquote

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(TOOLS_DIR))
DOCS_DIR = os.path.join(REPO_ROOT, 'docs')
DEFAULT_DEST = os.path.join(REPO_ROOT, 'build', 'docsite')
BIN_DIR = os.path.dirname(sys.executable)
ANTSIBULL_DOCS = os.path.join(BIN_DIR, 'antsibull-docs')
NAMESPACE = 'partnercenter'
NAME = 'devices'
COLLECTION = NAMESPACE + '.' + NAME

# Where the generated pages' references to Ansible's own documentation go (no intersphinx: offline).
ANSIBLE_DOCS_URL = 'https://docs.ansible.com/projects/ansible/latest/'
ANSIBLE_DOCS_LABELS = {
    'action_plugins': 'plugins/action.html',
    'ansible_configuration_settings': 'reference_appendices/config.html',
    'common_return_values': 'reference_appendices/common_return_values.html',
}
# ansible_collections.<namespace>.<name>.<plugin>_<type>[__<anchor>], for plugins of other collections.
COLLECTION_PLUGIN_LABEL = re.compile(r'^ansible_collections\.(\w+)\.(\w+)\.(\w+)_([a-z]+)(?:__(.+))?$')

# Markdown: fenced code blocks, code spans, inline links and images, link reference definitions.
FENCE = re.compile(r'^ {0,3}(`{3,}|~{3,})')
CODE_SPAN = re.compile(r'(`+).+?\1')
INLINE_LINK = re.compile(r'(\]\()(<[^>\n]*>|[^)\s]+)')
LINK_DEFINITION = re.compile(r'^( {0,3}\[[^\]]+\]:[ \t]*)(<[^>\n]*>|\S+)')
URL_SCHEME = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:')

ANTSIBULL_DOCS_CONFIG = '''\
# Written by tests/tools/build_docs.py.
breadcrumbs = true
indexes = true
use_html_blobs = false
add_antsibull_docs_version = false
collection_url = {
  %(collection)s = "%(repository)s"
}
collection_install = {
  %(collection)s = "ansible-galaxy collection install git+%(repository)s.git,%(branch)s"
}
'''


def load_yaml(path):
    """A YAML file's content (PyYAML comes with ansible-core)."""
    import yaml  # pylint: disable=import-outside-toplevel

    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


class Site:
    """What the site is built from: the repository's URL, the branch that links point at, the guides."""

    def __init__(self):
        galaxy = load_yaml(os.path.join(REPO_ROOT, 'galaxy.yml'))
        edit_on_github = load_yaml(os.path.join(DOCS_DIR, 'docsite', 'links.yml'))['edit_on_github']
        self.description = ' '.join(galaxy['description'].split())
        self.repository = galaxy['repository'].rstrip('/')
        self.issues = galaxy['issues']
        self.branch = edit_on_github['branch']
        self.docs_files = find_docs_files()
        self.guides = [path for path in self.docs_files if path.endswith('.md')]

    def source_url(self, repo_path):
        """The page of a file or folder of the repository on GitHub."""
        kind = 'tree' if os.path.isdir(os.path.join(REPO_ROOT, repo_path)) else 'blob'
        return '%s/%s/%s/%s' % (self.repository, kind, self.branch, quote(repo_path))


def find_docs_files():
    """Every file under docs/ but docs/docsite/ (the site's own configuration), as repository paths."""
    found = []
    for dirpath, dirnames, filenames in os.walk(DOCS_DIR):
        if dirpath == DOCS_DIR and 'docsite' in dirnames:
            dirnames.remove('docsite')
        dirnames.sort()
        found.extend(os.path.relpath(os.path.join(dirpath, name), REPO_ROOT).replace(os.sep, '/') for name in sorted(filenames))
    return found


def rewrite_target(target, guide, site):
    """A link target as the site needs it: links to files that are not guides point to GitHub.

    Links to other guides stay relative (the guides keep their layout in the site), and so do
    targets that name no file of the repository: Sphinx then warns about them, and the build fails.
    """
    bracketed = target.startswith('<') and target.endswith('>')
    bare = target[1:-1] if bracketed else target
    if not bare or bare.startswith('#') or URL_SCHEME.match(bare):
        return target
    quoted_path, hash_sign, fragment = bare.partition('#')
    path = unquote(quoted_path)
    if path.startswith('/'):
        repo_path = posixpath.normpath(path.lstrip('/'))
    else:
        repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(guide), path))
    if repo_path in site.guides or repo_path.startswith('..') or not os.path.exists(os.path.join(REPO_ROOT, repo_path)):
        return target
    url = site.source_url(repo_path) + hash_sign + fragment
    return '<%s>' % url if bracketed else url


def is_image(prose, position):
    """Whether the link whose text ends just before ``position`` is an image (``![text](target)``)."""
    depth = 0
    for index in range(position - 1, -1, -1):
        if prose[index] == ']':
            depth += 1
        elif prose[index] == '[':
            if depth == 0:
                return index > 0 and prose[index - 1] == '!'
            depth -= 1
    return False


def rewrite_links(text, guide, site):
    """The Markdown ``text`` of ``guide`` with its relative links outside the guides made absolute.

    Images stay as they are: the files under docs/ are copied next to the guides, so they show offline.
    """

    def rewrite_link(match):
        if is_image(match.string, match.start()):
            return match.group(0)
        return match.group(1) + rewrite_target(match.group(2), guide, site)

    def rewrite_prose(prose):
        pieces = []
        position = 0
        for span in CODE_SPAN.finditer(prose):
            pieces.append(INLINE_LINK.sub(rewrite_link, prose[position:span.start()]))
            pieces.append(span.group(0))
            position = span.end()
        pieces.append(INLINE_LINK.sub(rewrite_link, prose[position:]))
        return ''.join(pieces)

    lines = []
    fence = None
    for line in text.splitlines(True):
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) and not line.strip(' \n`~'):
                fence = None
            lines.append(line)
        elif opening:
            fence = opening.group(1)
            lines.append(line)
        else:
            line = LINK_DEFINITION.sub(lambda match: match.group(1) + rewrite_target(match.group(2), guide, site), line)
            lines.append(rewrite_prose(line))
    return ''.join(lines)


def guide_docname(guide):
    """The Sphinx document name of a guide: docs/awx/README.md is guides/awx/README."""
    return 'guides/' + posixpath.splitext(posixpath.relpath(guide, 'docs'))[0]


def write_guides(source_dir, site):
    """Copy docs/ into the Sphinx source tree as guides/ (same layout), the guides with their links rewritten."""
    for path in site.docs_files:
        target = os.path.join(source_dir, 'guides', posixpath.relpath(path, 'docs'))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if path not in site.guides:
            shutil.copyfile(os.path.join(REPO_ROOT, path), target)
            continue
        with open(os.path.join(REPO_ROOT, path), encoding='utf-8') as handle:
            text = handle.read()
        with open(target, 'w', encoding='utf-8') as handle:
            handle.write(rewrite_links(text, path, site))


def write_index(source_dir, site):
    """The site's front page: the guides, then the reference (every module and role, from the collection index)."""
    title = COLLECTION
    lines = [
        title, '=' * len(title), '',
        site.description, '',
        'The guides show how to use the modules and roles together. The reference has every module\'s and role\'s'
        ' options and return values, as ``ansible-doc`` shows them, and the environment variables they read.', '',
        '.. toctree::', '   :maxdepth: 1', '   :caption: Guides', '',
    ]
    lines.extend('   ' + guide_docname(guide) for guide in site.guides)
    lines.extend([
        '', '.. toctree::', '   :maxdepth: 2', '   :titlesonly:', '   :includehidden:', '   :caption: Reference', '',
        '   collection/index', '   collection/environment_variables', '',
    ])
    with open(os.path.join(source_dir, 'index.rst'), 'w', encoding='utf-8') as handle:
        handle.write('\n'.join(lines))


def write_sphinx_config(source_dir, site):
    """conf.py: Sphinx with antsibull-docs' extension, myst-parser for the guides, this file's reference resolver."""
    settings = {
        'project': COLLECTION,
        'copyright': '%s contributors' % COLLECTION,
        'html_title': '%s documentation' % COLLECTION,
        'html_short_title': COLLECTION,
        'extensions': ['myst_parser', 'sphinx_antsibull_ext', 'build_docs'],
        'source_suffix': {'.rst': 'restructuredtext', '.md': 'markdown'},
        'root_doc': 'index',
        'pygments_style': 'ansible',
        'highlight_language': 'YAML+Jinja',
        'html_theme': 'sphinx_ansible_theme',
        # The theme's banner links to Ansible's sites and to "/" by default: ours instead.
        'html_theme_options': {
            'display_version': False, 'show_extranav': False, 'show_rtd_ethical_ads': False,
            'documentation_home_url': site.repository,
            'topbar_links': {'Repository': site.repository, 'Issues': site.issues},
        },
        'html_show_sphinx': False,
        'html_copy_source': False,
        'html_show_sourcelink': False,
        'html_use_index': False,
        'default_role': 'any',
        'nitpicky': True,
        # GitHub-style anchors, so that links like guide.md#a-heading work in the site as on GitHub.
        'myst_heading_anchors': 6,
    }
    lines = ['# Written by tests/tools/build_docs.py for one build.', 'import sys',
             'sys.path.insert(0, %r)' % TOOLS_DIR]
    lines.extend('%s = %r' % item for item in settings.items())
    with open(os.path.join(source_dir, 'conf.py'), 'w', encoding='utf-8') as handle:
        handle.write('\n'.join(lines) + '\n')


def collections_tree(workdir):
    """A collections path whose partnercenter.devices is this checkout (a link, as in tests/harness.py)."""
    namespace_dir = os.path.join(workdir, 'collections', 'ansible_collections', NAMESPACE)
    os.makedirs(namespace_dir)
    os.symlink(REPO_ROOT, os.path.join(namespace_dir, NAME))
    return os.path.join(workdir, 'collections')


def tool_env(collections_path, workdir):
    """This collection only, no user or project Ansible configuration."""
    with open(os.path.join(workdir, 'ansible.cfg'), 'w', encoding='utf-8') as handle:
        handle.write('[defaults]\n')
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('ANSIBLE_'))
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': collections_path,
        'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
        'ANSIBLE_CONFIG': os.path.join(workdir, 'ansible.cfg'),
        'ANSIBLE_HOME': os.path.join(workdir, 'ansible-home'),
        'ANSIBLE_NOCOLOR': '1',
        'PATH': BIN_DIR + os.pathsep + env.get('PATH', ''),
    })
    return env


class Step:
    """One tool run, started at once; ``finish`` shows its output. Any output on stderr counts as a warning.

    ``paths`` are (temporary path, what to show instead) pairs, so that messages name the repository's files.
    """

    def __init__(self, name, command, env, paths):
        self.name = name
        self.paths = paths
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # pylint: disable=consider-using-with
                                        text=True)

    def finish(self):
        """Wait for the tool, show what it said; True when it succeeded and warned of nothing."""
        stdout, stderr = self.process.communicate()
        output = stdout + stderr
        for temporary, shown in self.paths:
            output = output.replace(temporary, shown)
        print('--- %s (%.1f s)' % (self.name, time.monotonic() - self.started), flush=True)
        sys.stdout.write(output)
        if self.process.returncode != 0:
            print('FAILED: %s (exit code %d)' % (self.name, self.process.returncode), flush=True)
            return False
        if stderr.strip():
            print('FAILED: %s warned (see above)' % self.name, flush=True)
            return False
        return True


def prepare_dest(dest):
    """An empty output folder; an existing one is replaced only if it holds a Sphinx build (or nothing)."""
    if os.path.isdir(dest) and os.listdir(dest):
        if not os.path.exists(os.path.join(dest, '.buildinfo')):
            raise SystemExit('%s exists and is not a Sphinx build: not replacing it' % dest)
        shutil.rmtree(dest)
    os.makedirs(dest, exist_ok=True)


def build(dest, lint=True):
    """Lint the collection and build the site into ``dest``. True when every step was clean."""
    site = Site()
    workdir = tempfile.mkdtemp(prefix='partnercenter-devices-docs-')
    linting = None
    try:
        collections_path = collections_tree(workdir)
        collection_dir = os.path.join(collections_path, 'ansible_collections', NAMESPACE, NAME)
        env = tool_env(collections_path, workdir)
        source_dir = os.path.join(workdir, 'source')
        paths = ((collection_dir + os.sep, ''), (os.path.join(source_dir, 'guides') + os.sep, 'docs' + os.sep),
                 (source_dir + os.sep, '(generated) '))
        # The linter only reads the collection: it runs alongside the build.
        if lint:
            linting = Step('antsibull-docs lint-collection-docs --plugin-docs',
                           [ANTSIBULL_DOCS, 'lint-collection-docs', '--plugin-docs', collection_dir], env, paths)
        clean = build_site(dest, site, workdir, env, paths)
        if linting:
            clean = linting.finish() and clean
        return clean
    finally:
        if linting and linting.process.poll() is None:
            linting.process.kill()
            linting.process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def build_site(dest, site, workdir, env, paths):
    """The module and role pages, the guides and the front page, then HTML. True when every step was clean."""
    source_dir = os.path.join(workdir, 'source')
    os.makedirs(os.path.join(source_dir, 'collection'), mode=0o700)  # antsibull-docs wants it private
    config_path = os.path.join(workdir, 'antsibull-docs.cfg')
    with open(config_path, 'w', encoding='utf-8') as handle:
        handle.write(ANTSIBULL_DOCS_CONFIG % {'collection': COLLECTION, 'repository': site.repository, 'branch': site.branch})
    pages = Step('antsibull-docs collection (module and role pages)',
                 [ANTSIBULL_DOCS, '--config-file', config_path, 'collection', '--use-current', '--squash-hierarchy',
                  '--fail-on-error', '--dest-dir', os.path.join(source_dir, 'collection'), COLLECTION], env, paths)
    if not pages.finish():
        return False
    write_guides(source_dir, site)
    write_index(source_dir, site)
    write_sphinx_config(source_dir, site)
    prepare_dest(dest)
    html = Step('sphinx-build (HTML)',
                [sys.executable, '-m', 'sphinx', '-b', 'html', '-W', '--keep-going', '-n', '-q',
                 '-d', os.path.join(workdir, 'doctrees'), source_dir, dest], env, paths)
    return html.finish()


def main(arguments):
    """Build the site; exit code 1 on any error or warning."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--dest', default=DEFAULT_DEST, help='output folder (default: build/docsite)')
    parser.add_argument('--skip-lint', action='store_true', help='do not run antsibull-docs lint-collection-docs')
    options = parser.parse_args(arguments)
    dest = os.path.abspath(options.dest)
    if not build(dest, lint=not options.skip_lint):
        print('The docs site has errors or warnings (above).', flush=True)
        return 1
    print('Docs site: %s' % os.path.join(dest, 'index.html'), flush=True)
    return 0


# The Sphinx side: the generated conf.py loads this module as an extension.

def resolve_ansible_docs_reference(app, env, node, contnode):  # pylint: disable=unused-argument
    """Point references to Ansible's docs and to other collections' plugins at docs.ansible.com."""
    from docutils import nodes  # pylint: disable=import-outside-toplevel

    label = node.get('reftarget', '')
    if node.get('reftype') == 'envvar' and label.startswith('ANSIBLE_'):
        # ansible-core's own settings (the inventory_cache fragment's, say) are documented there.
        url = ANSIBLE_DOCS_URL + ANSIBLE_DOCS_LABELS['ansible_configuration_settings'] + '#envvar-' + label
        return nodes.reference('', '', contnode, internal=False, refuri=url)
    if node.get('reftype') not in ('ref', 'any'):
        return None
    url = None
    if label in ANSIBLE_DOCS_LABELS:
        url = ANSIBLE_DOCS_URL + ANSIBLE_DOCS_LABELS[label]
    else:
        match = COLLECTION_PLUGIN_LABEL.match(label)
        if match and (match.group(1), match.group(2)) != (NAMESPACE, NAME):
            url = '%scollections/%s/%s/%s_%s.html' % ((ANSIBLE_DOCS_URL,) + match.group(1, 2, 3, 4))
            if match.group(5):
                url += '#' + match.group(5)
    if url is None:
        return None
    return nodes.reference('', '', contnode, internal=False, refuri=url)


def setup(app):
    """Sphinx extension entry point."""
    app.connect('missing-reference', resolve_ansible_docs_reference)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
