# -*- coding: utf-8 -*-
# Copyright: partnercenter.devices contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RST for the figures that report tools print for the guides in docs/docsite/rst/ (antsibull-docs reads RST)."""


def list_table(header, rows):
    """A ``list-table`` directive with a header row -> list of lines; cells are given as RST text."""
    lines = ['.. list-table::', '   :header-rows: 1', '']
    for row in [header] + list(rows):
        for index, cell in enumerate(row):
            text = str(cell)
            lines.append(('   * - ' if index == 0 else '     - ') + text if text else ('   * -' if index == 0 else '     -'))
    return lines


def literal(text):
    """Inline literal text."""
    return '``%s``' % text
