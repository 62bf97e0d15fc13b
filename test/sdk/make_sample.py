#!/usr/bin/env python3
"""Build the bundled demo sample from the per-SDK event files.

Usage: make_sample.py OUTPUT.jsonl EVENTS.jsonl...

Keeps at most PER_CASE events of each `case` tag from each input, then interleaves the inputs line by line so that
both SDKs' events are mixed, as a live stream of events would be.
"""

import json
import sys

PER_CASE = 2


def select_events(path):
	kept = []
	per_case = {}
	with open(path, encoding='utf-8') as events:
		for line in events:
			case_name = json.loads(line)['tags']['case']
			per_case[case_name] = per_case.get(case_name, 0) + 1
			if per_case[case_name] <= PER_CASE:
				kept.append(line)
	return kept


def main(argv):
	if len(argv) < 3:
		print(__doc__.strip().splitlines()[2], file=sys.stderr)
		return 2
	selections = [select_events(path) for path in argv[2:]]
	count = 0
	with open(argv[1], 'w', encoding='utf-8') as output:
		for position in range(max(len(selection) for selection in selections)):
			for selection in selections:
				if position < len(selection):
					output.write(selection[position])
					count += 1
	print(f'make_sample: wrote {count} events to {argv[1]}', file=sys.stderr)
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv))
