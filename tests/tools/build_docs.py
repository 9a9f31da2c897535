# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the collection's HTML docs site (``make docs``) with antsibull-docs, failing on any warning.

The site is built the way antsibull-docs builds any collection's docsite: ``antsibull-docs sphinx-init
--use-current --squash-hierarchy`` writes a Sphinx project whose ``build.sh`` renders every module and
role page, the collection index with the links of ``docs/docsite/links.yml``, and the guides that
``docs/docsite/extra-docs.yml`` lists (``docs/docsite/rst/*.rst``), then runs ``sphinx-build -W``.
Meanwhile ``antsibull-docs lint-collection-docs --plugin-docs`` checks the same sources.

What this script adds, because sphinx-init has no option for it:

- the collection index's install note and link say what README.md says (antsibull-docs.cfg);
- no network: the generated conf.py's intersphinx inventories are dropped, and the references the
  generated pages make to Ansible's own docs resolve to docs.ansible.com URLs here instead;
- the sidebar shows long names (``partnercenter.devices.autopilot_profile_info module``) whole, broken
  after their dots, not inside a word;
- a page for each Event-Driven Ansible event source (``extensions/eda/plugins/event_source/``), made from
  its DOCUMENTATION and EXAMPLES, listed in the collection index beside the modules: antsibull-docs
  documents no event sources;
- links to the guides and roles on GitHub (``.../blob/main/docs/docsite/rst/<guide>.rst``, a role's
  README.md), which ``ansible-doc`` readers follow, go to their page in the site instead.

Usage: ``python tests/tools/build_docs.py [--dest build/docsite] [--skip-lint]``; open ``index.html``.
This file is also the Sphinx extension that the generated ``conf.py`` loads (see ``setup``).
"""

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOOLS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(TOOLS_DIR))
DEFAULT_DEST = os.path.join(REPO_ROOT, 'build', 'docsite')
BIN_DIR = os.path.dirname(sys.executable)
ANTSIBULL_DOCS = os.path.join(BIN_DIR, 'antsibull-docs')
NAMESPACE = 'partnercenter'
NAME = 'devices'
COLLECTION = NAMESPACE + '.' + NAME

# How README.md installs the collection: from a clone, built and installed (the site says the same).
INSTALL = ('git clone {repository}.git && cd {name} && ansible-galaxy collection build'
           ' && ansible-galaxy collection install {namespace}-{name}-*.tar.gz')

# Where the generated pages' references to Ansible's own documentation go (no intersphinx: offline).
ANSIBLE_DOCS_URL = 'https://docs.ansible.com/projects/ansible/latest/'
ANSIBLE_DOCS_LABELS = {
    'action_plugins': 'plugins/action.html',
    'ansible_configuration_settings': 'reference_appendices/config.html',
    'common_return_values': 'reference_appendices/common_return_values.html',
}
# ansible_collections.<namespace>.<name>.<plugin>_<type>[__<anchor>], for plugins of other collections.
COLLECTION_PLUGIN_LABEL = re.compile(r'^ansible_collections\.(\w+)\.(\w+)\.(\w+)_([a-z]+)(?:__(.+))?$')

# The theme cuts sidebar entries at the sidebar's width (white-space: nowrap, overflow hidden): let
# them wrap. A long name breaks after its dots (breakable_names adds a <wbr> there); only a part longer
# than the line would break inside.
SIDEBAR_CSS = '''\
/* Written by tests/tools/build_docs.py: long module and role names wrap instead of being cut off. */
.wy-menu-vertical a, .wy-menu-vertical li.toctree-l1 > a, .wy-menu-vertical li.current > a {
  white-space: normal;
  overflow-wrap: anywhere;
  text-overflow: clip;
  overflow: visible;
  height: auto;
}
'''

# Appended to the conf.py that sphinx-init writes.
CONF_PY_ADDITIONS = '''
# Added by tests/tools/build_docs.py: the build is offline (no intersphinx inventory is fetched, the
# references to Ansible's docs resolve in build_docs.py), and the sidebar shows long names whole.
import sys
sys.path.insert(0, %(tools_dir)r)
intersphinx_mapping = {}
extensions.append('build_docs')
html_static_path = ['_static']
html_css_files = ['sidebar.css']
html_theme_options = dict(globals().get('html_theme_options', {}), display_version=False, show_extranav=False,
                          show_rtd_ethical_ads=False, topbar_links=%(topbar_links)r)
html_show_sourcelink = False
'''


def load_yaml(path):
    """A YAML file's content (PyYAML comes with ansible-core)."""
    import yaml  # pylint: disable=import-outside-toplevel

    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def collections_tree(workdir):
    """A collections path whose partnercenter.devices is this checkout (a link, as in tests/harness.py)."""
    namespace_dir = os.path.join(workdir, 'collections', 'ansible_collections', NAMESPACE)
    os.makedirs(namespace_dir)
    os.symlink(REPO_ROOT, os.path.join(namespace_dir, NAME))
    return os.path.join(workdir, 'collections')


def tool_env(collections_path, workdir):
    """This collection only, no user or project Ansible configuration; the tools of this virtualenv first."""
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

    def __init__(self, name, command, env, paths, cwd=None):
        self.name = name
        self.paths = paths
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                        stderr=subprocess.PIPE, text=True)

    def finish(self, quiet_stdout=False):
        """Wait for the tool, show what it said; True when it succeeded and warned of nothing."""
        stdout, stderr = self.process.communicate()
        failed = self.process.returncode != 0 or bool(stderr.strip())
        output = (stdout if failed or not quiet_stdout else '') + stderr
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


def replace_setting(text, name, body):
    """antsibull-docs.cfg with the ``name = { ... }`` block's entries replaced by ``body``."""
    pattern = re.compile(r'^%s = \{\n.*?^\}' % re.escape(name), re.MULTILINE | re.DOTALL)
    replaced, count = pattern.subn(lambda match: '%s = {\n  %s\n}' % (name, body), text)
    if count != 1:
        raise SystemExit('antsibull-docs sphinx-init wrote no %s setting: has its antsibull-docs.cfg changed?' % name)
    return replaced


def configure(project_dir):
    """What sphinx-init cannot be told: the install note and link, offline references, the sidebar."""
    galaxy = load_yaml(os.path.join(REPO_ROOT, 'galaxy.yml'))
    repository = galaxy['repository'].rstrip('/')
    config_path = os.path.join(project_dir, 'antsibull-docs.cfg')
    with open(config_path, encoding='utf-8') as handle:
        config = handle.read()
    config = replace_setting(config, 'collection_url', '%s = "%s"' % (COLLECTION, repository))
    install = INSTALL.format(repository=repository, namespace=NAMESPACE, name=NAME)
    config = replace_setting(config, 'collection_install', '%s = "%s"' % (COLLECTION, install))
    with open(config_path, 'w', encoding='utf-8') as handle:
        handle.write(config)
    with open(os.path.join(project_dir, 'conf.py'), 'a', encoding='utf-8') as handle:
        handle.write(CONF_PY_ADDITIONS % {'tools_dir': TOOLS_DIR,
                                          'topbar_links': {'Repository': repository, 'Issues': galaxy['issues']}})
    os.makedirs(os.path.join(project_dir, '_static'))
    with open(os.path.join(project_dir, '_static', 'sidebar.css'), 'w', encoding='utf-8') as handle:
        handle.write(SIDEBAR_CSS)


def prepare_dest(dest):
    """An empty output folder; an existing one is replaced only if it holds a Sphinx build (or nothing)."""
    if os.path.isdir(dest) and os.listdir(dest):
        if not os.path.exists(os.path.join(dest, '.buildinfo')):
            raise SystemExit('%s exists and is not a Sphinx build: not replacing it' % dest)
        shutil.rmtree(dest)
    os.makedirs(os.path.dirname(dest), exist_ok=True)


def build(dest, lint=True):
    """Lint the collection and build the site into ``dest``. True when every step was clean."""
    galaxy = load_yaml(os.path.join(REPO_ROOT, 'galaxy.yml'))
    # The random part follows a letter, as in tests/harness.py's make_temp_dir (a SyntaxWarning otherwise).
    workdir = tempfile.mkdtemp(prefix='partnercenter-devices-docs_')
    linting = None
    try:
        collections_path = collections_tree(workdir)
        collection_dir = os.path.join(collections_path, 'ansible_collections', NAMESPACE, NAME)
        env = tool_env(collections_path, workdir)
        project_dir = os.path.join(workdir, 'site')
        os.mkdir(project_dir, 0o700)  # antsibull-docs wants its folders writable by their owner only
        paths = ((collection_dir + os.sep, ''), (os.path.join(project_dir, 'rst', 'docsite') + os.sep, 'docs/docsite/rst/'),
                 (project_dir + os.sep, '(generated) '))
        # The linter only reads the collection: it runs alongside the build.
        if lint:
            linting = Step('antsibull-docs lint-collection-docs --plugin-docs',
                           [ANTSIBULL_DOCS, 'lint-collection-docs', '--plugin-docs', collection_dir], env, paths)
        clean = build_site(dest, galaxy, project_dir, env, paths)
        if linting:
            clean = linting.finish() and clean
        return clean
    finally:
        if linting and linting.process.poll() is None:
            linting.process.kill()
            linting.process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def build_site(dest, galaxy, project_dir, env, paths):
    """sphinx-init, then its build.sh; the HTML into ``dest``. True when every step was clean."""
    init = Step('antsibull-docs sphinx-init', [
        ANTSIBULL_DOCS, 'sphinx-init', '--use-current', '--squash-hierarchy', '--fail-on-error',
        '--no-add-antsibull-docs-version', '--sphinx-theme', 'sphinx_ansible_theme',
        '--project', COLLECTION, '--copyright', '%s contributors' % COLLECTION,
        '--title', '%s documentation' % COLLECTION, '--html-short-title', COLLECTION,
        '--extra-html-theme-options', 'documentation_home_url=%s' % galaxy['repository'].rstrip('/'),
        '--dest-dir', project_dir, COLLECTION], env, paths)
    if not init.finish(quiet_stdout=True):
        return False
    configure(project_dir)
    html = Step('build.sh (antsibull-docs collection, sphinx-build -W)', ['bash', 'build.sh'], env, paths, cwd=project_dir)
    if not html.finish(quiet_stdout=True):
        return False
    prepare_dest(dest)
    shutil.copytree(os.path.join(project_dir, 'build', 'html'), dest)
    return True


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

EVENT_SOURCE_DIR = os.path.join(REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source')
# Where antsibull-docs' collection index lists the roles: the event sources go just before.
ROLE_INDEX_LABEL = '.. _role_plugins_in_%s:' % COLLECTION
EVENT_SOURCE_GUIDE = 'ansible_collections.%s.docsite.event_driven_ansible' % COLLECTION
BREAK_AFTER = re.compile(r'(\.)(?=\w)')
HTML_TEXT = re.compile(r'>([^<>]+)<')


def breakable_names(markup):
    """HTML with a <wbr> after each dot of its text (not of its tags) that a word character follows.

    partnercenter.devices.batch_upload_status has no place to break otherwise, so a narrow sidebar would break it
    wherever the line is full, mid-word ("batch_upload_sta" / "tus").
    """
    return HTML_TEXT.sub(lambda match: '>' + BREAK_AFTER.sub(r'\1<wbr>', match.group(1)) + '<', markup)


def breakable_sidebar(app, pagename, templatename, context, doctree):  # pylint: disable=unused-argument
    """html-page-context: the theme's sidebar (its toctree()) with breakable names."""
    toctree = context.get('toctree')
    if callable(toctree):
        context['toctree'] = lambda **options: breakable_names(toctree(**options))


def event_source_docs():
    """(name, DOCUMENTATION, EXAMPLES) of each event source, read from its file without importing it."""
    import yaml  # pylint: disable=import-outside-toplevel

    found = []
    for filename in sorted(os.listdir(EVENT_SOURCE_DIR)):
        if not filename.endswith('.py') or filename.startswith('_'):
            continue
        path = os.path.join(EVENT_SOURCE_DIR, filename)
        with open(path, encoding='utf-8') as handle:
            tree = ast.parse(handle.read(), filename=path)
        strings = dict((target.id, node.value.value) for node in tree.body if isinstance(node, ast.Assign)
                       and isinstance(node.value, ast.Constant) for target in node.targets if isinstance(target, ast.Name))
        if 'DOCUMENTATION' not in strings:
            raise ValueError('%s has no DOCUMENTATION' % path)
        found.append((filename[:-3], yaml.safe_load(strings['DOCUMENTATION']), strings.get('EXAMPLES', '').strip()))
    return found


def paragraph_text(paragraph):
    """A paragraph of DOCUMENTATION as its author wrote it: an unquoted list item with ': ' in it is read by YAML
    as a mapping of one key."""
    if isinstance(paragraph, dict) and len(paragraph) == 1:
        return '%s: %s' % next(iter(paragraph.items()))
    return str(paragraph)


def rst_markup(text):
    """Ansible markup (C(), O(), V(), E(), U(), ...) of a string or a list of paragraphs, as RST."""
    from antsibull_docs_parser.parser import Context, parse  # pylint: disable=import-outside-toplevel
    from antsibull_docs_parser.rst import to_rst_plain  # pylint: disable=import-outside-toplevel

    return to_rst_plain(parse([paragraph_text(paragraph) for paragraph in (text if isinstance(text, list) else [text])], Context()))


def indent(text, spaces):
    """``text`` with every non-empty line but the first indented by ``spaces``."""
    return text.replace('\n', '\n' + ' ' * spaces).replace('\n' + ' ' * spaces + '\n', '\n\n')


def event_source_label(name):
    return 'ansible_collections.%s.%s_event_source' % (COLLECTION, name)


def event_source_page(name, doc, examples):
    """The RST page of one event source, laid out as antsibull-docs lays out a plugin's."""
    title = '%s.%s event source -- %s' % (COLLECTION, name, doc['short_description'])
    lines = ['.. _%s:' % event_source_label(name), '', title, '=' * len(title), '',
             '.. note::', '    This event source is part of the %s collection. ansible-rulebook runs it from a rulebook\'s'
             ' ``sources`` as ``%s.%s``.' % (COLLECTION, COLLECTION, name), '']
    if doc.get('version_added'):
        lines += ['*New in %s %s*' % (COLLECTION, doc['version_added']), '']
    lines += ['.. contents::', '   :local:', '   :depth: 1', '', 'Synopsis', '--------', '']
    lines += ['- ' + indent(rst_markup(paragraph), 2) for paragraph in doc.get('description', [])]
    lines += ['', 'Parameters', '----------', '', '.. list-table::', '   :header-rows: 1', '   :widths: 25 75', '',
              '   * - Parameter', '     - Comments']
    for option, spec in doc.get('options', {}).items():
        kind = spec.get('type', 'str')
        if spec.get('elements'):
            kind += ' / elements=%s' % spec['elements']
        comments = [rst_markup(spec.get('description', ''))]
        if 'choices' in spec:
            comments.append('Choices: ' + ', '.join('``%s``' % choice for choice in spec['choices']))
        if 'default' in spec:
            comments.append('Default: ``%s``' % (str(spec['default']).lower() if isinstance(spec['default'], bool) else spec['default']))
        lines += ['   * - .. _%s__parameter-%s:' % (event_source_label(name), option), '',
                  '       **%s**' % option.replace('_', '\\_'), '',
                  '       :literal:`%s`' % kind,
                  '     - ' + indent('\n\n'.join(comments), 7)]
    if doc.get('notes'):
        lines += ['', 'Notes', '-----', '', '.. note::']
        lines += ['   - ' + indent(rst_markup(note), 5) for note in doc['notes']]
    lines += ['', 'See Also', '--------', '', '.. seealso::', '',
              '   :ref:`Reacting when a batch finishes <%s>`' % EVENT_SOURCE_GUIDE,
              '       The guide: a rulebook that runs a job when a batch finishes, and the events this source sends.']
    if examples:
        lines += ['', 'Examples', '--------', '', '.. code-block:: yaml+jinja', '', indent('    ' + examples, 4)]
    return '\n'.join(lines) + '\n'


def event_source_index(sources):
    """The collection index's section on the event sources."""
    lines = ['.. _event_source_plugins_in_%s:' % COLLECTION, '', 'Event Sources', '~~~~~~~~~~~~~', '']
    lines += ['* :ref:`%s event source <%s>` -- %s' % (name, event_source_label(name), rst_markup(doc['short_description']))
              for name, doc, unused_examples in sources]
    lines += ['', '.. toctree::', '    :maxdepth: 1', '    :hidden:', '']
    lines += ['    %s_event_source' % name for name, unused_doc, unused_examples in sources]
    return '\n'.join(lines) + '\n\n'


def write_event_source_pages(app):
    """builder-inited: a page per event source in the sources that antsibull-docs wrote, before Sphinx reads them."""
    app.config.partnercenter_event_sources = sources = event_source_docs()
    for name, doc, examples in sources:
        with open(os.path.join(app.srcdir, '%s_event_source.rst' % name), 'w', encoding='utf-8') as handle:
            handle.write(event_source_page(name, doc, examples))


def list_event_sources(app, docname, source):
    """source-read: the collection index lists the event sources before the roles."""
    if docname != 'index':
        return
    if ROLE_INDEX_LABEL not in source[0]:
        raise ValueError('the collection index has no %r: has antsibull-docs changed its layout?' % ROLE_INDEX_LABEL)
    source[0] = source[0].replace(ROLE_INDEX_LABEL, event_source_index(app.config.partnercenter_event_sources) + ROLE_INDEX_LABEL, 1)


def local_page_links(app, doctree, docname):
    """doctree-resolved: links to a guide's or a role's source on GitHub go to its page in the site."""
    from docutils import nodes  # pylint: disable=import-outside-toplevel

    galaxy = load_yaml(os.path.join(REPO_ROOT, 'galaxy.yml'))
    branch = load_yaml(os.path.join(REPO_ROOT, 'docs', 'docsite', 'links.yml'))['edit_on_github']['branch']
    source = re.compile(r'^%s/blob/%s/(?:docs/docsite/rst/([\w-]+)\.rst|roles/(\w+)/README\.md)(#.*)?$'
                        % (re.escape(galaxy['repository'].rstrip('/')), re.escape(branch)))
    for reference in doctree.findall(nodes.reference):
        match = source.match(reference.get('refuri', ''))
        if not match:
            continue
        target = 'docsite/%s' % match.group(1) if match.group(1) else '%s_role' % match.group(2)
        if target in app.env.all_docs:
            if reference.astext() == reference['refuri']:
                # A bare URL (U()) shows the page's title instead.
                reference.children = [nodes.Text(app.env.titles[target].astext())]
            reference['refuri'] = app.builder.get_relative_uri(docname, target) + (match.group(3) or '')
            reference['internal'] = True


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
    app.add_config_value('partnercenter_event_sources', [], 'env')
    app.connect('builder-inited', write_event_source_pages)
    app.connect('source-read', list_event_sources)
    app.connect('doctree-resolved', local_page_links)
    app.connect('html-page-context', breakable_sidebar)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
