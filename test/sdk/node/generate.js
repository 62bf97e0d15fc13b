'use strict';
// Produces real @sentry/node error events fully offline: a custom transport appends every serialized envelope to a
// file instead of sending it. Each event carries a `case` tag naming its scenario (see ../README.md, which is the spec
// the grouping tests check).
//
// Usage: node generate.js ENVELOPE_FILE           handled-error and message scenarios, SDK defaults
//        node generate.js ENVELOPE_FILE nostack   message scenarios with attachStacktrace: false
//        node generate.js ENVELOPE_FILE uncaught  one uncaught exception (the process then exits with status 1)

const fs = require('fs');
const path = require('path');
const Sentry = require('@sentry/node');

const envelopeFile = process.argv[2];
const mode = process.argv[3] || 'handled';
if (!envelopeFile || !['handled', 'nostack', 'uncaught'].includes(mode)) {
	console.error('usage: node generate.js ENVELOPE_FILE [handled|nostack|uncaught]');
	process.exit(2);
}

// Each envelope body is written followed by a newline so that several envelopes can be concatenated in one file:
// an envelope header line has no `type` key, an item header always has one, which is how the extractor splits them.
function makeFileTransport(options) {
	return Sentry.createTransport(options, (request) => {
		fs.appendFileSync(envelopeFile, request.body);
		fs.appendFileSync(envelopeFile, '\n');
		return Promise.resolve({ statusCode: 200 });
	});
}

// The default integrations minus those that patch the network stack (Http, NodeFetch), record sessions
// (ProcessSession), instrument web frameworks or workers, or would drop repeated events (Dedupe).
const offlineIntegrations = [
	Sentry.eventFiltersIntegration(),
	Sentry.functionToStringIntegration(),
	Sentry.linkedErrorsIntegration(),
	Sentry.requestDataIntegration(),
	Sentry.systemErrorIntegration(),
	Sentry.consoleIntegration(),
	Sentry.contextLinesIntegration(),
	Sentry.nodeContextIntegration(),
	Sentry.modulesIntegration(),
];
if (mode === 'uncaught') {
	offlineIntegrations.push(Sentry.onUncaughtExceptionIntegration());
}

Sentry.init({
	dsn: 'https://public@example.invalid/1',
	release: 'pg-triage-demo@1.4.2',
	environment: 'production',
	serverName: 'sdk-capture-host',
	transport: makeFileTransport,
	defaultIntegrations: false,
	integrations: offlineIntegrations,
	tracesSampleRate: 0,
	attachStacktrace: mode !== 'nostack',
});

// Fake third-party code: written under node_modules at run time so that the SDK marks its frames as not in-app.
function loadFakeVendorLibrary() {
	const dir = path.join(__dirname, 'node_modules', 'fake-vendor-lib');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'index.js'),
		[
			"'use strict';",
			'function strictParse(text) {',
			'\tif (!text.startsWith("{")) {',
			'\t\tthrow new SyntaxError(`Unexpected token ${text[0]} in JSON at position 0 (input length ${text.length})`);',
			'\t}',
			'\treturn JSON.parse(text);',
			'}',
			'function parseConfig(text) {',
			'\treturn strictParse(text);',
			'}',
			'module.exports = { parseConfig };',
			'',
		].join('\n')
	);
	return require(dir);
}

function captureCase(caseName, error, configureScope) {
	Sentry.withScope((scope) => {
		scope.setTag('case', caseName);
		if (configureScope) {
			configureScope(scope);
		}
		Sentry.captureException(error);
	});
}

function captureMessageCase(caseName, message, level) {
	Sentry.withScope((scope) => {
		scope.setTag('case', caseName);
		Sentry.captureMessage(message, level);
	});
}

// ---- same throw site, varying messages; hybrid fingerprint ----

function chargeOrder(order) {
	throw new Error(
		`Payment for order ${order.id} failed: gateway ${order.gateway} timed out after ${order.ms}ms (request ${order.uuid})`
	);
}

function processOrder(order) {
	return chargeOrder(order);
}

const orders = [
	{ id: 1001, gateway: '10.0.0.12', ms: 250, uuid: '3f2b6a9e-1c4d-4e8f-9a7b-2d5c6e7f8a90' },
	{ id: 48213, gateway: '192.168.4.7', ms: 1200, uuid: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' },
	{ id: 77, gateway: '172.16.0.3', ms: 30000, uuid: '00000000-0000-4000-8000-000000000001' },
	{ id: 902114, gateway: '2001:db8::17', ms: 15, uuid: 'deadbeef-dead-4eef-beef-deadbeefcafe' },
	{ id: 5, gateway: '8.8.4.4', ms: 999, uuid: '9f8e7d6c-5b4a-4321-8fed-cba987654321' },
];

// The hybrid-fingerprint events come from exactly the same stack as same-site-varying-message, so only the extra
// fingerprint value sets them apart.
const sameSiteVariants = [
	{ caseName: 'same-site-varying-message', orders, fingerprint: null },
	{ caseName: 'hybrid-fingerprint', orders: orders.slice(0, 2), fingerprint: ['{{ default }}', 'extra'] },
];

function runSameSiteCases() {
	for (const variant of sameSiteVariants) {
		const configureScope = variant.fingerprint && ((scope) => scope.setFingerprint(variant.fingerprint));
		for (const order of variant.orders) {
			try {
				processOrder(order);
			} catch (error) {
				captureCase(variant.caseName, error, configureScope);
			}
		}
	}
}

// ---- two in-app call paths into the same throwing function ----

function reserveStock(sku, quantity) {
	throw new RangeError(`Insufficient stock for ${sku}: requested ${quantity}, available ${quantity - 3}`);
}

function validateCart(cart) {
	return reserveStock(cart.sku, cart.quantity);
}

function checkoutFlow(cart) {
	return validateCart(cart);
}

function adminRestock(sku, quantity) {
	return reserveStock(sku, quantity);
}

function runTwoPathCases() {
	for (const [sku, quantity] of [['SKU-1001', 7], ['SKU-2044', 12]]) {
		try {
			checkoutFlow({ sku, quantity });
		} catch (error) {
			captureCase('two-paths-checkout', error);
		}
	}
	for (const [sku, quantity] of [['SKU-1001', 7], ['SKU-3310', 40]]) {
		try {
			adminRestock(sku, quantity);
		} catch (error) {
			captureCase('two-paths-admin', error);
		}
	}
}

// ---- another exception type at another site (a genuine V8 TypeError) ----

function renderProfile(user) {
	return user.profile.displayName.toUpperCase();
}

function runTypeErrorCases() {
	for (const user of [{ id: 1 }, { id: 2, profile: null }]) {
		try {
			renderProfile(user);
		} catch (error) {
			captureCase('type-error', error);
		}
	}
}

// ---- captureMessage with parameters ----
// With the SDK's default attachStacktrace the message events carry a synthetic exception with the capture site's
// stack; the "nostack" mode runs the same messages with attachStacktrace off, so they group on the message alone.

const varyingMessages = [
	'Slow query on shard 3 took 1532ms for user 48213 from 10.0.0.12 (trace 3f2b6a9e-1c4d-4e8f-9a7b-2d5c6e7f8a90)',
	'Slow query on shard 11 took 87ms for user 77 from 192.168.4.7 (trace a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d)',
	'Slow query on shard 3 took 20004ms for user 902114 from 172.16.0.3 (trace 00000000-0000-4000-8000-000000000001)',
	'Slow query on shard 0 took 5ms for user 1 from 8.8.8.8 (trace 5c1f0e9a-7d2b-4c3a-9e8f-1a2b3c4d5e6f)',
];
const otherMessages = ['Cache warmup finished with 12 stale keys', 'Cache warmup finished with 4090 stale keys'];

function runMessageCases(casePrefix) {
	for (const message of varyingMessages) {
		captureMessageCase(`${casePrefix}-varying`, message, 'warning');
	}
	for (const message of otherMessages) {
		captureMessageCase(`${casePrefix}-other`, message, 'info');
	}
}

function runParameterizedMessageCases() {
	for (const [userId, seconds] of [[48213, 30], [77, 4]]) {
		captureMessageCase('message-parameterized', Sentry.parameterize`Session for user ${userId} expired after ${seconds}s`);
	}
}

// ---- custom fingerprint (the hybrid one is with the same-site cases) ----

function loadInvoice(invoiceId) {
	throw new Error(`Invoice ${invoiceId} not found`);
}

function sendReminder(customerId) {
	throw new TypeError(`Customer ${customerId} has no email address`);
}

function runFingerprintCases() {
	// Two unrelated errors sharing one custom fingerprint: they must group together.
	try {
		loadInvoice('INV-2024-0042');
	} catch (error) {
		captureCase('custom-fingerprint', error, (scope) => scope.setFingerprint(['my-custom', 'fp']));
	}
	try {
		sendReminder(3311);
	} catch (error) {
		captureCase('custom-fingerprint', error, (scope) => scope.setFingerprint(['my-custom', 'fp']));
	}
}

// ---- tags, user, transaction ----

function applyCoupon(code) {
	throw new Error(`Coupon ${code} expired at 2024-03-01T00:00:00Z`);
}

function runContextCase() {
	try {
		applyCoupon('SPRING24');
	} catch (error) {
		captureCase('tags-user-transaction', error, (scope) => {
			scope.setTag('feature', 'coupons');
			scope.setTag('region', 'eu-west-1');
			scope.setUser({ id: '4711', email: 'jane@example.org', username: 'jane', ip_address: '203.0.113.9' });
			scope.setTransactionName('POST /api/cart/:id/coupon');
			scope.setExtra('cart_items', 3);
			scope.setLevel('error');
		});
	}
}

// ---- chained error (cause) ----

function openConnection(port) {
	throw new Error(`connect ECONNREFUSED 127.0.0.1:${port}`);
}

function loadSettings(port) {
	try {
		openConnection(port);
	} catch (inner) {
		throw new Error(`Failed to load settings after ${port % 7 + 1} retries`, { cause: inner });
	}
}

function runChainedCases() {
	for (const port of [5432, 6543]) {
		try {
			loadSettings(port);
		} catch (error) {
			captureCase('chained-error', error);
		}
	}
}

// ---- error thrown inside node_modules ----

function readConfigFile(vendor, text) {
	return vendor.parseConfig(text);
}

function runVendorCases() {
	const vendor = loadFakeVendorLibrary();
	for (const text of ['not json', 'xyz=1\nabc=22']) {
		try {
			readConfigFile(vendor, text);
		} catch (error) {
			captureCase('node-modules-throw', error);
		}
	}
}

// ---- async stack ----

async function fetchRates(currency) {
	await Promise.resolve();
	throw new Error(`No exchange rate for ${currency} at ${Date.UTC(2024, 0, 15)}`);
}

async function refreshRates(currency) {
	return await fetchRates(currency);
}

async function runAsyncCases() {
	for (const currency of ['XAU', 'BTC']) {
		try {
			await refreshRates(currency);
		} catch (error) {
			captureCase('async-error', error);
		}
	}
}

// ---- a non-Error value passed to captureException ----

function runNonErrorCase() {
	Sentry.withScope((scope) => {
		scope.setTag('case', 'non-error-object');
		Sentry.captureException({ code: 'E_QUOTA', limit: 1000, used: 1204 });
	});
}

// ---- uncaught exception (separate process: the SDK exits after reporting it) ----

function startWorkerJob(jobId) {
	throw new Error(`Worker job ${jobId} crashed with exit code 137`);
}

async function main() {
	if (mode === 'uncaught') {
		Sentry.getGlobalScope().setTag('case', 'uncaught');
		setTimeout(() => startWorkerJob(90210), 0);
		return;
	}
	if (mode === 'nostack') {
		runMessageCases('message-nostack');
		runParameterizedMessageCases();
	} else {
		runSameSiteCases();
		runTwoPathCases();
		runTypeErrorCases();
		runMessageCases('message');
		runFingerprintCases();
		runContextCase();
		runChainedCases();
		runVendorCases();
		await runAsyncCases();
		runNonErrorCase();
	}
	await Sentry.flush(5000);
	await Sentry.close(5000);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
