# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AnsibleModule wrapper every module of the collection is built on.

It adds the shared options (``options.SHARED_OPTIONS``, documented once in the ``partner_center`` doc
fragment) to the argument spec, has ``options.SharedOptionAdapter`` check them before any request (a problem
fails the task), builds the client with ``options.build_client``, and turns the client's
exceptions into ``fail_json`` with redacted messages. Any other exception that escapes a module
after the wrapper is built becomes a clear failure too: each module's ``main()`` is decorated with
``report_unexpected_exceptions``, as a module normally catches its own exceptions.
"""

import functools
import json

from ansible.module_utils import basic
from ansible.module_utils.ansible_release import __version__ as ANSIBLE_CORE_VERSION
from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.partnercenter.devices.plugins.module_utils.auth import ENV_VARS
from ansible_collections.partnercenter.devices.plugins.module_utils.client import COLLECTION_VERSION
from ansible_collections.partnercenter.devices.plugins.module_utils.errors import (
    PartnerCenterError,
    redact,
    secret_forms,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.options import (
    SECRET_OPTIONS,
    SHARED_OPTIONS,
    OptionError,
    SharedOptionAdapter,
    build_client,
    option_warnings,
)
from ansible_collections.partnercenter.devices.plugins.module_utils.validate import guid_problem, is_guid, option_number_problem


def _argument_spec(name, option):
    spec = dict(option)
    if name in ENV_VARS:
        spec['fallback'] = (env_fallback, [ENV_VARS[name]])
    return spec


# The options every module shares (options.SHARED_OPTIONS, documented in doc_fragments/partner_center.py), with their
# environment variables as AnsibleModule fallbacks.
PARTNER_CENTER_ARGUMENT_SPEC = dict((name, _argument_spec(name, option)) for name, option in SHARED_OPTIONS.items())

# The options of modules that can wait for a batch; keep in step with the doc fragment's WAIT.
WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=1800),
    poll_interval=dict(type='float', default=15),
)

# The ansible-core versions whose AnsibleModule masks its result through basic.remove_values (read in their basic.py,
# and tested by make test-matrix); see PartnerCenterModule._exit.
MASKING_SWAP_VERSIONS = ('2.16', '2.17', '2.18', '2.19', '2.20', '2.21')
ANSIBLE_CORE_MINOR = '.'.join(ANSIBLE_CORE_VERSION.split('.')[:2])
_ISSUES_URL = 'https://github.com/partnercenter/devices/issues'

# How ansible-core up to 2.18 spells True, False and None when it looks for a no_log value in them
# (str()); JSON spells them otherwise, so a no_log value inside one of these words is not looked for in JSON.
_SCALAR_WORDS = ('True', 'False', 'None')
_PLAIN_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))


def _is_plain_json(value):
    """True when ``value`` holds only dicts, lists, and str/int/float/bool/None, of exactly these types.

    For such values JSON writes each string as its characters (escaped one by one) and each number as str() does,
    as remove_values reads them; a subclass (a tagged string, an int enum) might not be written so, and is refused.
    Keys are not looked at: remove_values never masks them. Call it on a value json.dumps wrote (no cycles).
    """
    kind = type(value)
    if kind is not dict and kind is not list:
        return kind in _PLAIN_SCALAR_TYPES
    containers = [value]
    while containers:
        container = containers.pop()
        for item in (container.values() if type(container) is dict else container):  # pylint: disable=unidiomatic-typecheck
            kind = type(item)
            if kind is dict or kind is list:
                containers.append(item)
            elif kind not in _PLAIN_SCALAR_TYPES:
                return False
    return True


def needs_masking(value, no_log_values):
    """False only when ansible-core's ``remove_values(value, no_log_values)`` provably holds nothing to mask.

    ``value`` is written once as JSON (ensure_ascii=False): JSON escapes a string character by character, so a
    string that contains a no_log value is written as text that contains that value's JSON form (keys are in the
    text too, which can only make this answer True). Anything this cannot reason about answers True: a value that
    is not plain JSON (``_is_plain_json``), NaN or infinity (JSON and str() spell them differently), a no_log value
    that is not a string or lies inside True/False/None, a value JSON cannot write.
    """
    if any(not isinstance(secret, str) or any(secret in word for word in _SCALAR_WORDS) for secret in no_log_values):
        return True
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return True
    if not _is_plain_json(value):
        return True
    return any(json.dumps(secret, ensure_ascii=False)[1:-1] in text for secret in no_log_values)


def remove_values_where_needed(value, no_log_values, remove_values):
    """What ``remove_values(value, no_log_values)`` returns, without walking the top-level values that need no masking.

    remove_values masks each value of a dict on its own, so masking only the top-level values that hold a no_log
    value (the invocation's options, say) gives the same result as masking all of them; the large ones (the devices)
    are returned as they are. Anything other than a dict is left to ``remove_values``.
    """
    if type(value) is not dict:  # pylint: disable=unidiomatic-typecheck
        return remove_values(value, no_log_values)
    # The same object may be returned under two keys (batch_upload_details and the fact): checked once.
    verdicts = {}
    masked = {}
    for key, item in value.items():
        if id(item) not in verdicts:
            verdicts[id(item)] = needs_masking(item, no_log_values)
        masked[key] = remove_values(item, no_log_values) if verdicts[id(item)] else item
    return masked


# The PartnerCenterModule of the main() that runs now, once it is built (see report_unexpected_exceptions).
_RUNNING = {'module': None}


def report_unexpected_exceptions(main):
    """Decorate a module's ``main()``: an exception that escapes it becomes a clear failure, not a traceback.

    The failure says that this is a bug in the collection, with the collection's version, the exception's type and
    the request ids, every secret masked (``PartnerCenterModule.fail_unexpected``). An exception raised before the
    module's PartnerCenterModule is built (the argument spec itself) is left to ansible-core.
    """
    @functools.wraps(main)
    def run():
        _RUNNING['module'] = None
        try:
            return main()
        except Exception as exception:  # pylint: disable=broad-except
            module = _RUNNING['module']
            if module is None:
                raise
            module.fail_unexpected(exception)
        finally:
            _RUNNING['module'] = None
        return None

    return run


class PartnerCenterModule:
    """An AnsibleModule with the shared Partner Center options and a client built from them."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = dict(PARTNER_CENTER_ARGUMENT_SPEC)
        spec.update(argument_spec or {})
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self._client = None
        self.shared_options = None
        _RUNNING['module'] = self
        self._check_shared_options()

    def fail_unexpected(self, exception):
        """Fail the task for an exception the collection did not expect: a bug, said as such, without a traceback."""
        client = self._client
        fields = dict(exception_type=type(exception).__name__)
        if isinstance(exception, PartnerCenterError):
            fields.update(exception.result_fields())
        if client is not None:
            fields.setdefault('correlation_id', client.correlation_id)
        elif self.params.get('correlation_id'):
            fields.setdefault('correlation_id', self.params['correlation_id'])
        ids = ', '.join('%s %s' % (label, fields[key]) for key, label in (
            ('request_id', 'MS-RequestId'), ('correlation_id', 'MS-CorrelationId')) if fields.get(key))
        text = ' '.join(str(exception).split())
        if len(text) > 300:
            text = text[:300] + '...'
        self.fail_json(
            msg='partnercenter.devices %s met an unexpected %s: %s. This is a bug in the collection, not in your '
                'playbook: please report it at %s with this message%s.'
                % (COLLECTION_VERSION, type(exception).__name__, text or '(no message)', _ISSUES_URL,
                   ' and the ids (%s)' % ids if ids else ''),
            collection_version=COLLECTION_VERSION, **fields)

    # -- validation, before any request --------------------------------------------------------

    def require_guid(self, *names):
        """Fail unless each named option holds a GUID."""
        for name in names:
            value = self.params.get(name)
            if value is not None and not is_guid(value):
                self.module.fail_json(msg=guid_problem(name, value))

    def check_wait_options(self):
        """Fail unless the WAIT_ARGUMENT_SPEC options hold finite numbers within their stated bounds."""
        for name in ('wait_timeout', 'poll_interval'):
            problem = option_number_problem(name, self.params[name])
            if problem:
                self.module.fail_json(msg=problem)

    def _check_shared_options(self):
        adapter = SharedOptionAdapter.from_params(self.params)
        # The user information of a URL is a secret too: masked wherever Ansible echoes the option (invocation,
        # -vvvv), also when the URL is refused.
        self.module.no_log_values.update(adapter.secrets())
        try:
            self.shared_options = adapter.checked()
        except OptionError as error:
            self.module.fail_json(msg=error.message)
        # The invocation ansible-core returns shows the options as they are used (the cloud's URLs filled in).
        self.params.update((name, self.shared_options[name]) for name in SHARED_OPTIONS)
        for message in option_warnings(self.shared_options):
            self.module.warn(message)

    # -- the client -------------------------------------------------------------------------------

    def client(self):
        """The Partner Center client for these options (built once; fails clearly on bad credentials)."""
        if self._client is None:
            try:
                self._client = build_client(self.shared_options, warn=self.module.warn)
            except PartnerCenterError as error:
                self.fail(error)
        return self._client

    # -- results ------------------------------------------------------------------------------------

    def _redact(self, text):
        secrets = set(self._client.secrets) if self._client else set()
        secrets.update(self.params[name] for name in SECRET_OPTIONS if self.params.get(name))
        return redact(text, secrets)

    def _keep_tokens_out_of_output(self):
        # AnsibleModule masks no_log option values in everything it returns; tokens fetched
        # during the run are secrets too.
        if self._client is not None:
            for secret in list(self._client.secrets):
                self.module.no_log_values.update(secret_forms(secret))

    def _exit(self, exit_method, **result):
        """``exit_method(**result)``, with ansible-core's masking of the result walking only what can hold a secret.

        AnsibleModule masks its whole result with ``remove_values`` after adding the invocation, warnings and
        deprecations; for a large batch that walk costs more than reading the batch. Emptying ``no_log_values`` would
        not help (the walk runs anyway) and would not mask what ansible-core adds. This is the one place the
        collection touches ansible-core's internals: on the versions whose basic.py is known to call ``remove_values``
        by that name (MASKING_SWAP_VERSIONS, each tested), it is swapped for this exit alone, keeping ansible-core's
        masking wherever a secret can be; any other version masks the whole result as it always does.
        """
        if ANSIBLE_CORE_MINOR not in MASKING_SWAP_VERSIONS:
            exit_method(**result)
            return
        masking = basic.remove_values

        def remove_values(value, no_log_values):
            return remove_values_where_needed(value, no_log_values, masking)

        basic.remove_values = remove_values
        try:
            exit_method(**result)
        finally:
            basic.remove_values = masking

    def fail(self, error, **result):
        """Fail the task from a PartnerCenterError: its message, redacted, and its ids."""
        self._keep_tokens_out_of_output()
        # The error's own ids win over anything in ``result``: they name the request that failed.
        fields = dict(result)
        fields.update(error.result_fields())
        if self._client is not None:
            fields.setdefault('correlation_id', self._client.correlation_id)
        self._exit(self.module.fail_json, msg=self._redact(error.message), **fields)

    def exit_json(self, **result):
        """Exit with ``result``; secrets fetched during the run are masked."""
        self._keep_tokens_out_of_output()
        self._exit(self.module.exit_json, **result)

    def exit_with_secrets(self, secrets, **result):
        """Exit returning each of ``secrets`` (a dict: result key -> secret, None left out), unmasked.

        AnsibleModule would mask a secret in its own result if it were a no_log value, so each is left out of
        them; the module's action plugin hides the whole result from output instead.
        """
        self._keep_tokens_out_of_output()
        for key, secret in secrets.items():
            if secret is not None:
                self.module.no_log_values.difference_update(secret_forms(secret))
                result[key] = secret
        self._exit(self.module.exit_json, **result)

    def fail_json(self, **result):
        """Fail with ``result``; secrets fetched during the run are masked."""
        self._keep_tokens_out_of_output()
        result['msg'] = self._redact(result.get('msg', ''))
        self._exit(self.module.fail_json, **result)
