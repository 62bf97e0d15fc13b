#!/usr/bin/env python3
"""Turn files of concatenated Sentry envelopes into JSON Lines of their event payloads.

Usage: extract_events.py OUTPUT.jsonl ENVELOPE_FILE...

An envelope is a header line (JSON object), then items: an item header line (JSON object with a `type`, and an
optional `length` in bytes) followed by its payload, which is `length` bytes when given and the rest of the line
otherwise. The generators write envelopes one after another in a single file, so a JSON line without `type` where
an item header is expected starts the next envelope. Only items of type `event` are kept, in file order, one compact
JSON object per line, as the SDK produced them.
"""

import json
import sys


class EnvelopeError(Exception):
	pass


def read_line(data, pos):
	"""Return (line, next position) for the line starting at pos, without its newline."""
	end = data.find(b'\n', pos)
	if end < 0:
		return data[pos:], len(data)
	return data[pos:end], end + 1


def parse_json_line(raw, pos, what):
	try:
		value = json.loads(raw.decode('utf-8'))
	except (UnicodeDecodeError, json.JSONDecodeError) as error:
		raise EnvelopeError(f'byte {pos}: {what} is not valid JSON: {error}') from error
	if not isinstance(value, dict):
		raise EnvelopeError(f'byte {pos}: {what} is not a JSON object')
	return value


def iter_items(data):
	"""Yield (envelope header, item header, payload bytes) for every item of every envelope in data."""
	pos = 0
	envelope_header = None
	while pos < len(data):
		line_start = pos
		line, pos = read_line(data, pos)
		if not line.strip():
			continue
		header = parse_json_line(line, line_start, 'header line')
		if 'type' not in header:
			envelope_header = header
			continue
		if envelope_header is None:
			raise EnvelopeError(f'byte {line_start}: item header before any envelope header')
		length = header.get('length')
		if length is None:
			payload, pos = read_line(data, pos)
		else:
			if not isinstance(length, int) or length < 0 or pos + length > len(data):
				raise EnvelopeError(f'byte {line_start}: bad item length {length!r}')
			payload = data[pos:pos + length]
			pos += length
			if data[pos:pos + 1] == b'\n':
				pos += 1
		yield envelope_header, header, payload


def extract_events(paths):
	events = []
	for path in paths:
		with open(path, 'rb') as envelope_file:
			data = envelope_file.read()
		for _, item_header, payload in iter_items(data):
			if item_header['type'] == 'event':
				events.append(parse_json_line(payload, 0, f'{path}: event payload'))
	return events


def main(argv):
	if len(argv) < 3:
		print(__doc__.strip().splitlines()[2], file=sys.stderr)
		return 2
	try:
		events = extract_events(argv[2:])
	except (OSError, EnvelopeError) as error:
		print(f'extract_events: {error}', file=sys.stderr)
		return 1
	with open(argv[1], 'w', encoding='utf-8') as output:
		for event in events:
			output.write(json.dumps(event, ensure_ascii=False, separators=(',', ':')))
			output.write('\n')
	print(f'extract_events: wrote {len(events)} events to {argv[1]}', file=sys.stderr)
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv))
