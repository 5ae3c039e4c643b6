# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""One table of exact-comparison figures (compare.py --json files).
Usage: table.py FIGURES.json..."""
import json
import sys

COLS = [('events', 'hook_events'), ('matched', 'matched'),
        ('missing', 'missing'), ('extra', 'extra'),
        ('nameless', 'nameless'), ('values', 'compared'),
        ('equal', 'equal'), ('cut+mark', 'cut_marked'),
        ('different', 'different'), ('unreadable', 'unreadable'),
        ('all events', 'pyaudit_events'), ('all unreadable', 'pyaudit_unreadable'),
        ('all nameless', 'pyaudit_nameless'), ('lost', 'lost')]


def main(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            d = json.load(f)
        fig = d['figures']
        label = d['label'].split(',')[0]
        rows.append([label, str(fig.get('processes', 0))] +
                    [str(fig.get(k, 0)) for _, k in COLS] +
                    [', '.join('%s %d' % kv for kv in
                               sorted(d['differences'].items())) or 'none'])
    head = ['interpreter', 'procs'] + [c for c, _ in COLS] + ['differences by kind']
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for r in rows:
        print('| ' + ' | '.join(r) + ' |')


if __name__ == '__main__':
    main(sys.argv[1:])
