# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's figures: medians over runs, ratios taken within each run, one table, JSON.

Pure code, no I/O beyond the JSON file, so test_report.py checks it without running a benchmark.
"""

import json
import os
import platform
import sys


def median(values):
    """The median of ``values`` (numbers; None entries are left out), or None when there are none."""
    values = sorted(value for value in values if value is not None)
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2.0


def ratios(numerators, denominators):
    """Per-run ratios: numerators[i] / denominators[i], for the runs that have both."""
    return [num / den for num, den in zip(numerators, denominators) if num is not None and den]


class Row:  # pylint: disable=too-few-public-methods
    """One line of the table: a measured figure (median over runs), an optional ratio, a target and whether it is met."""

    def __init__(self, section, label, values, unit, ratio=None, ratio_label='', target='', met=None, note=''):
        self.section = section
        self.label = label
        self.values = list(values)
        self.unit = unit
        self.ratio_values = None if ratio is None else list(ratio)
        self.ratio_label = ratio_label
        self.target = target
        self.met = met
        self.note = note

    @property
    def value(self):
        """The median of the runs' values."""
        return median(self.values)

    @property
    def ratio(self):
        """The median of the per-run ratios, or None."""
        return None if self.ratio_values is None else median(self.ratio_values)

    def cells(self):
        """The row's cells as text: section, what, median, ratio, target, met."""
        ratio = '' if self.ratio is None else '%.2fx %s' % (self.ratio, self.ratio_label)
        met = {True: 'yes', False: '**no**', None: ''}[self.met]
        return [str(self.section), self.label, format_value(self.value, self.unit), ratio.strip(), self.target, met]

    def as_dict(self):
        """Everything about the row, for the JSON file."""
        return dict(section=self.section, label=self.label, unit=self.unit, median=self.value, values=self.values,
                    ratio=self.ratio, ratio_values=self.ratio_values, ratio_label=self.ratio_label,
                    target=self.target, met=self.met, note=self.note)


def format_value(value, unit):
    """A figure with its unit: seconds with 2 or 3 decimals, counts as integers, megabytes with 1 decimal."""
    if value is None:
        return 'n/a'
    if unit == 's':
        return '%.3f s' % value if value < 1 else '%.2f s' % value
    if unit == 'ms':
        return '%.1f ms' % value
    if unit == 'MB':
        return '%.1f MB' % value
    if unit == 'KB':
        return '%.2f KB' % value
    if unit in ('count', ''):
        return '%g' % value
    return '%g %s' % (value, unit)


HEADER = ['#', 'measure', 'median', 'ratio (same run)', 'target', 'met']


def table(rows):
    """The rows as one Markdown table (it reads as plain text too)."""
    lines = [HEADER] + [row.cells() for row in rows]
    widths = [max(len(line[column]) for line in lines) for column in range(len(HEADER))]

    def render(cells):
        return '| ' + ' | '.join(cell.ljust(width) for cell, width in zip(cells, widths)) + ' |'

    out = [render(HEADER), '|' + '|'.join('-' * (width + 2) for width in widths) + '|']
    out.extend(render(cells) for cells in lines[1:])
    return '\n'.join(out)


def environment():
    """What the figures were measured on."""
    try:
        from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    except ImportError:
        ansible_version = None
    return dict(python=sys.version.split()[0], ansible_core=ansible_version, platform=platform.platform(),
                cpus=os.cpu_count())


def write_json(path, rows, settings, extra=None):
    """Write the rows (with every run's values), the settings and the environment to ``path``."""
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    document = dict(settings=settings, environment=environment(), rows=[row.as_dict() for row in rows])
    document.update(extra or {})
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(document, handle, indent=2, sort_keys=True)
        handle.write('\n')


def parse_importtime(text):
    """``python -X importtime`` output: {module: (self microseconds, cumulative microseconds)}."""
    modules = {}
    for line in text.splitlines():
        if not line.startswith('import time:') or line.rstrip().endswith('imported package'):
            continue
        parts = line[len('import time:'):].split('|')
        if len(parts) != 3:
            continue
        try:
            own, cumulative = int(parts[0]), int(parts[1])
        except ValueError:
            continue
        modules[parts[2].strip()] = (own, cumulative)
    return modules


def import_extras(floor, measured):
    """The modules ``measured`` imports beyond ``floor`` ({name: self microseconds}), biggest first."""
    extras = dict((name, times[0]) for name, times in measured.items() if name not in floor)
    return sorted(extras.items(), key=lambda item: (-item[1], item[0]))
