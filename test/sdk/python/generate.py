"""Produces real sentry-sdk (Python) error events fully offline.

A custom transport appends every envelope, serialized, to a file instead of sending it. Each event carries a `case`
tag naming its scenario (see ../README.md, which is the spec the grouping tests check).

Run with Debian's interpreter, which has python3-sentry-sdk:
	/usr/bin/python3 generate.py ENVELOPE_FILE            handled-error, message and logging scenarios
	/usr/bin/python3 generate.py ENVELOPE_FILE uncaught   one uncaught exception (the process then exits with status 1)
"""

import datetime
import json
import logging
import sys

import sentry_sdk
import yaml
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

MODES = ('handled', 'uncaught')


class FileTransport(Transport):
	"""Appends each envelope to a file. Envelopes end with a newline, so several can follow each other in one file."""

	envelope_file = None

	def capture_event(self, event):
		# SDK 1.x hands plain error events to capture_event (the legacy store endpoint); wrap them in an envelope the
		# way later SDK versions do, so that one file format covers both paths.
		envelope = Envelope(headers={
			'event_id': event.get('event_id'),
			'sent_at': datetime.datetime.utcnow().strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
			'dsn': self.options['dsn'],
		})
		envelope.add_event(event)
		self.capture_envelope(envelope)

	def capture_envelope(self, envelope):
		with open(FileTransport.envelope_file, 'ab') as output:
			output.write(envelope.serialize())


def capture_case(case_name, error, configure_scope=None):
	with sentry_sdk.push_scope() as scope:
		scope.set_tag('case', case_name)
		if configure_scope is not None:
			configure_scope(scope)
		sentry_sdk.capture_exception(error)


def capture_message_case(case_name, message, level):
	with sentry_sdk.push_scope() as scope:
		scope.set_tag('case', case_name)
		sentry_sdk.capture_message(message, level)


# ---- same raise site, varying messages; hybrid fingerprint ----

ORDERS = [
	{'id': 1001, 'gateway': '10.0.0.12', 'ms': 250, 'uuid': '3f2b6a9e-1c4d-4e8f-9a7b-2d5c6e7f8a90'},
	{'id': 48213, 'gateway': '192.168.4.7', 'ms': 1200, 'uuid': 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'},
	{'id': 77, 'gateway': '172.16.0.3', 'ms': 30000, 'uuid': '00000000-0000-4000-8000-000000000001'},
	{'id': 902114, 'gateway': '2001:db8::17', 'ms': 15, 'uuid': 'deadbeef-dead-4eef-beef-deadbeefcafe'},
	{'id': 5, 'gateway': '8.8.4.4', 'ms': 999, 'uuid': '9f8e7d6c-5b4a-4321-8fed-cba987654321'},
]


class PaymentError(Exception):
	pass


def charge_order(order):
	raise PaymentError(
		f"Payment for order {order['id']} failed: gateway {order['gateway']} timed out after {order['ms']}ms "
		f"(request {order['uuid']})")


def process_order(order):
	return charge_order(order)


def set_hybrid_fingerprint(scope):
	scope.fingerprint = ['{{ default }}', 'extra']


# The hybrid-fingerprint events come from exactly the same stack as same-site-varying-message, so only the extra
# fingerprint value sets them apart.
SAME_SITE_VARIANTS = [
	('same-site-varying-message', ORDERS, None),
	('hybrid-fingerprint', ORDERS[:2], set_hybrid_fingerprint),
]


def run_same_site_cases():
	for case_name, orders, configure_scope in SAME_SITE_VARIANTS:
		for order in orders:
			try:
				process_order(order)
			except PaymentError as error:
				capture_case(case_name, error, configure_scope)


# ---- two in-app call paths into the same raising function ----

def reserve_stock(sku, quantity):
	raise ValueError(f'Insufficient stock for {sku}: requested {quantity}, available {quantity - 3}')


def validate_cart(cart):
	return reserve_stock(cart['sku'], cart['quantity'])


def checkout_flow(cart):
	return validate_cart(cart)


def admin_restock(sku, quantity):
	return reserve_stock(sku, quantity)


def run_two_path_cases():
	for sku, quantity in (('SKU-1001', 7), ('SKU-2044', 12)):
		try:
			checkout_flow({'sku': sku, 'quantity': quantity})
		except ValueError as error:
			capture_case('two-paths-checkout', error)
	for sku, quantity in (('SKU-1001', 7), ('SKU-3310', 40)):
		try:
			admin_restock(sku, quantity)
		except ValueError as error:
			capture_case('two-paths-admin', error)


# ---- another exception type at another site (a genuine interpreter error) ----

class User:
	def __init__(self, user_id, profile):
		self.id = user_id
		self.profile = profile


def render_profile(user):
	return user.profile.display_name.upper()


def run_attribute_error_cases():
	for user in (User(1, None), User(2, None)):
		try:
			render_profile(user)
		except AttributeError as error:
			capture_case('attribute-error', error)


# ---- capture_message with parameters (no stack trace: attach_stacktrace is off by default in Python) ----

VARYING_MESSAGES = [
	'Slow query on shard 3 took 1532ms for user 48213 from 10.0.0.12 (trace 3f2b6a9e-1c4d-4e8f-9a7b-2d5c6e7f8a90)',
	'Slow query on shard 11 took 87ms for user 77 from 192.168.4.7 (trace a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d)',
	'Slow query on shard 3 took 20004ms for user 902114 from 172.16.0.3 (trace 00000000-0000-4000-8000-000000000001)',
	'Slow query on shard 0 took 5ms for user 1 from 8.8.8.8 (trace 5c1f0e9a-7d2b-4c3a-9e8f-1a2b3c4d5e6f)',
]
OTHER_MESSAGES = ['Cache warmup finished with 12 stale keys', 'Cache warmup finished with 4090 stale keys']


def run_message_cases():
	for message in VARYING_MESSAGES:
		capture_message_case('message-varying', message, 'warning')
	for message in OTHER_MESSAGES:
		capture_message_case('message-other', message, 'info')


# ---- logging: the LoggingIntegration sends logentry with the %-template and its params ----

def run_logging_cases():
	logger = logging.getLogger('billing.reconcile')
	for account, amount, seconds in ((48213, 12.5, 30), (77, 990.0, 4)):
		with sentry_sdk.push_scope() as scope:
			scope.set_tag('case', 'logging-error')
			logger.error('Reconciliation for account %s off by %.2f EUR after %ss', account, amount, seconds)


# ---- custom fingerprint (the hybrid one is with the same-site cases) ----

def load_invoice(invoice_id):
	raise LookupError(f'Invoice {invoice_id} not found')


def send_reminder(customer_id):
	raise TypeError(f'Customer {customer_id} has no email address')


def set_custom_fingerprint(scope):
	scope.fingerprint = ['my-custom', 'fp']


def run_fingerprint_cases():
	# Two unrelated errors sharing one custom fingerprint: they must group together.
	try:
		load_invoice('INV-2024-0042')
	except LookupError as error:
		capture_case('custom-fingerprint', error, set_custom_fingerprint)
	try:
		send_reminder(3311)
	except TypeError as error:
		capture_case('custom-fingerprint', error, set_custom_fingerprint)


# ---- tags, user, transaction ----

def apply_coupon(code):
	raise RuntimeError(f'Coupon {code} expired at 2024-03-01T00:00:00Z')


def set_rich_context(scope):
	scope.set_tag('feature', 'coupons')
	scope.set_tag('region', 'eu-west-1')
	scope.user = {'id': '4711', 'email': 'jane@example.org', 'username': 'jane', 'ip_address': '203.0.113.9'}
	scope.transaction = 'POST /api/cart/<id>/coupon'
	scope.set_extra('cart_items', 3)
	scope.level = 'error'


def run_context_case():
	try:
		apply_coupon('SPRING24')
	except RuntimeError as error:
		capture_case('tags-user-transaction', error, set_rich_context)


# ---- chained exceptions: explicit (raise ... from ...) and implicit (raised while handling) ----

def open_connection(port):
	raise ConnectionRefusedError(f'[Errno 111] Connection refused: 127.0.0.1:{port}')


def load_settings(port):
	try:
		open_connection(port)
	except ConnectionRefusedError as inner:
		raise RuntimeError(f'Failed to load settings after {port % 7 + 1} retries') from inner


def write_audit_log(entry_id):
	try:
		raise OSError(f'[Errno 28] No space left on device: /var/log/audit/{entry_id}.log')
	except OSError:
		return {}['fallback-' + str(entry_id)]


def run_chained_cases():
	for port in (5432, 6543):
		try:
			load_settings(port)
		except RuntimeError as error:
			capture_case('chained-error', error)
	for entry_id in (17, 2048):
		try:
			write_audit_log(entry_id)
		except KeyError as error:
			capture_case('chained-implicit', error)


# ---- errors raised inside library code ----
# The SDK 1.9 marks every frame in-app when no in_app_include/exclude is configured; Sentry's server-side rules then
# take frames under dist-packages (PyYAML here) out of the app, while standard-library frames (json) stay in-app.

def read_config_text(text):
	return json.loads(text)


def read_yaml_settings(text):
	return yaml.safe_load(text)


def run_library_cases():
	for text in ('not json', '\n\n  oops'):
		try:
			read_config_text(text)
		except json.JSONDecodeError as error:
			capture_case('stdlib-throw', error)
	for text in ('port: [5432, 6543', 'ids: [7, 8, 9'):
		try:
			read_yaml_settings(text)
		except yaml.YAMLError as error:
			capture_case('library-throw', error)


# ---- uncaught exception (separate process: the excepthook integration reports it) ----

def start_worker_job(job_id):
	raise SystemError(f'Worker job {job_id} crashed with exit code 137')


def main(argv):
	if len(argv) < 2 or (len(argv) > 2 and argv[2] not in MODES):
		print('usage: generate.py ENVELOPE_FILE [handled|uncaught]', file=sys.stderr)
		return 2
	FileTransport.envelope_file = argv[1]
	mode = argv[2] if len(argv) > 2 else 'handled'
	sentry_sdk.init(
		dsn='https://public@example.invalid/1',
		release='pg-triage-demo@1.4.2',
		environment='production',
		server_name='sdk-capture-host',
		transport=FileTransport,
		auto_enabling_integrations=False,
		auto_session_tracking=False,
	)
	if mode == 'uncaught':
		sentry_sdk.set_tag('case', 'uncaught')
		start_worker_job(90210)
	run_same_site_cases()
	run_two_path_cases()
	run_attribute_error_cases()
	run_message_cases()
	run_logging_cases()
	run_fingerprint_cases()
	run_context_case()
	run_chained_cases()
	run_library_cases()
	sentry_sdk.flush()
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv))
